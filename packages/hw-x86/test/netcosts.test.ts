import { netCostsSourceGaps, validateNetCosts } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { x86NetCosts, x86NetCostsSources } from "../src/index.js";

describe("the x86 network path costs", () => {
  it("pass validateNetCosts and give a labelled source for each constant", () => {
    expect(validateNetCosts(x86NetCosts)).toEqual(x86NetCosts);
    expect(netCostsSourceGaps(x86NetCosts, x86NetCostsSources)).toEqual({ missing: [], stale: [] });
    for (const s of Object.values(x86NetCostsSources)) expect(s).toMatch(/^(source|estimate)\b/);
  });

  it("keep a UDP send's own path under Rizzo's whole ~2,900 cycles per packet", () => {
    const c = x86NetCosts;
    const send =
      c.syscallCycles + c.mbufCycles + c.udpOutputCycles + c.ipOutputCycles + c.driverTxCycles;
    expect(send).toBeLessThan(2_900);
    expect(send).toBeGreaterThan(1_000);
  });
});
