import { describe, expect, it } from "vitest";
import { SYSCTL_PRESETS, tcp_addoptions } from "../src/index.js";

describe("tcp_addoptions", () => {
  it("gives the length it lays out, from its table too, for every layout, option set and SACK block count", () => {
    const cases: [(typeof SYSCTL_PRESETS)[number], boolean, boolean, boolean, boolean, number][] =
      [];
    for (const layout of SYSCTL_PRESETS) {
      for (let opts = 0; opts < 16; opts++) {
        for (let blocks = 0; blocks <= 9; blocks++) {
          cases.push([layout, !!(opts & 8), !!(opts & 4), !!(opts & 2), !!(opts & 1), blocks]);
        }
      }
    }
    // without kinds each is asked twice, the second time answered from the table, among the others
    for (const c of [...cases, ...cases.reverse()]) {
      const kinds: number[] = [];
      const laidOut = tcp_addoptions(...c, kinds);
      expect([c, tcp_addoptions(...c, null)]).toEqual([c, laidOut]);
      expect(laidOut % 4).toBe(0);
    }
  });
});
