/*
 * Random programs compared with herd7 line by line. CI has no herd7, so this
 * runs only with HERD7=<path to herd7> (its cat files are looked up beside it,
 * in ../share/herdtools7/herd); RUNS and SEED size and vary it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkTest, formatResult, modelByName, parseLitmus } from "../src/index.js";
import { commonSteps, mipsLitmus, mipsSteps, programs, x86Litmus, x86Steps } from "./generate.js";

const herd7 = process.env.HERD7;
const runs = Number(process.env.RUNS ?? 50);
const seed = Number(process.env.SEED ?? 1);

/** The lines herd7 and formatResult share: all but timing, hash and witness. */
function comparable(out: string): string[] {
  return out.split("\n").filter((l) => l !== "" && !/^(Time|Hash|Model|Witness:| {2})/.test(l));
}

function herdSays(herd: string, text: string, model: string): string[] {
  const file = join(mkdtempSync(join(tmpdir(), "herd-")), "T.litmus");
  writeFileSync(file, text);
  const cat = join(dirname(herd), "../share/herdtools7/herd", `${model}.cat`);
  return comparable(execFileSync(herd, ["-model", cat, file], { encoding: "utf8" }));
}

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
