/*
 * Random programs compared with herd7 line by line (only with HERD7 set, see
 * herd7.ts); RUNS and SEED size and vary it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkTest, formatResult, modelByName, parseLitmus } from "../src/index.js";
import { commonSteps, mipsLitmus, mipsSteps, programs, x86Litmus, x86Steps } from "./generate.js";
import { comparable, HERD7 as herd7, herdSays } from "./herd7.js";

const runs = Number(process.env.RUNS ?? 50);
const seed = Number(process.env.SEED ?? 1);

describe.skipIf(herd7 === undefined)("random programs against herd7", () => {
  const agree = (text: string, models: string[]) => {
    for (const m of models) {
      const mine = comparable(
        formatResult(checkTest(parseLitmus(text, "T.litmus"), modelByName(m))),
      );
      expect(mine, `${m}\n${text}`).toEqual(herdSays(herd7 as string, text, m));
    }
  };
  const options = { numRuns: runs, seed };

  it("MIPS with ll/sc, dependencies and branches, under mips and sc", () => {
    fc.assert(
      fc.property(programs(mipsSteps, 3, 2), (p) => agree(mipsLitmus(p, "T"), ["mips", "sc"])),
      options,
    );
  }, 600_000);

  it("X86 with XCHG, LOCK INC, INC and MFENCE, under x86tso and sc", () => {
    fc.assert(
      fc.property(programs(x86Steps, 3, 3), (p) => agree(x86Litmus(p, "T"), ["x86tso", "sc"])),
      options,
    );
  }, 600_000);

  it("four threads of loads, stores and fences, under x86tso and sc", () => {
    fc.assert(
      fc.property(programs(commonSteps, 4, 3), (p) => agree(x86Litmus(p, "T"), ["x86tso", "sc"])),
      options,
    );
  }, 600_000);
});
