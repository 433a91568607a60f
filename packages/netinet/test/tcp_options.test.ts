import { describe, expect, it } from "vitest";
import { SYSCTL_PRESETS, tcp_addoptions } from "../src/index.js";
import { tcp_optlen } from "../src/tcp_options.js";

describe("tcp_optlen", () => {
  it("gives tcp_addoptions' length for every layout, option set and SACK block count, in any order", () => {
    const cases: [(typeof SYSCTL_PRESETS)[number], boolean, boolean, boolean, boolean, number][] =
      [];
    for (const layout of SYSCTL_PRESETS) {
      for (let opts = 0; opts < 16; opts++) {
        for (let blocks = 0; blocks <= 9; blocks++) {
          cases.push([layout, !!(opts & 8), !!(opts & 4), !!(opts & 2), !!(opts & 1), blocks]);
        }
      }
    }
    // each asked twice, the second time from its table, interleaved with the others
    for (const c of [...cases, ...cases.reverse()]) {
      expect([c, tcp_optlen(...c)]).toEqual([c, tcp_addoptions(...c, null)]);
    }
  });
});
