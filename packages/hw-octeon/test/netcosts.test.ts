import { netCostsSourceGaps, validateNetCosts } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { cnmipsNetCosts, cnmipsNetCostsSources } from "../src/index.js";

describe("the cnMIPS network path costs", () => {
  it("pass validateNetCosts and give a labelled source for each constant", () => {
    expect(validateNetCosts(cnmipsNetCosts)).toEqual(cnmipsNetCosts);
    expect(netCostsSourceGaps(cnmipsNetCosts, cnmipsNetCostsSources)).toEqual({
      missing: [],
      stale: [],
    });
    for (const s of Object.values(cnmipsNetCostsSources)) expect(s).toMatch(/^(source|estimate)\b/);
  });

  it("put a forwarding path (driver, ether, ip in and out, driver) above the lean Linux floor of ~2,300 cycles", () => {
    const c = cnmipsNetCosts;
    const forward =
      c.driverRxCycles +
      c.etherInputCycles +
      c.ipInputCycles +
      c.ipOutputCycles +
      c.driverTxCycles +
      2 * c.mbufCycles;
    // calibration.md §2: lean Linux ~2,260, EdgeOS's fast path 3,100-5,300
    expect(forward).toBeGreaterThan(2_260);
    expect(forward).toBeLessThan(5_300);
  });
});
