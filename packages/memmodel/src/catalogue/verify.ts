/*
 * Runs the catalogue under every model: each pattern as the kernel has it
 * and with each of its fences left out, spelled for MIPS (under mips and sc)
 * and for X86 (under x86tso and sc). A row is safe when no allowed
 * execution reaches the pattern's bad outcome.
 */
import { type CheckResult, checkTest } from "../check.js";
import { parseLitmus } from "../litmus/parse.js";
import type { ModelName } from "../model.js";
import { modelsFor } from "../models/registry.js";
import type { Arch } from "../program.js";
import { FENCE_SPELLING, fenceNames, type Pattern } from "./pattern.js";
import { CATALOGUE } from "./patterns.js";
import { spellLitmus, testName } from "./spell.js";

export interface VerifyRow {
  readonly pattern: string;
  readonly arch: Arch;
  readonly model: ModelName;
  /** `as-kernel`, or `without-<fence>`. */
  readonly variant: string;
  readonly safe: boolean;
  /** The .litmus text that was checked. */
  readonly litmus: string;
  readonly result: CheckResult;
}

/** The fences of `p` that `arch` spells as an instruction (others are compiler barriers). */
function removable(p: Pattern, arch: Arch): string[] {
  return fenceNames(p).filter((name) => {
    const step = p.threads.flat().find((s) => s.k === "fence" && s.name === name);
    return step?.k === "fence" && FENCE_SPELLING[arch][step.barrier] !== null;
  });
}

/** Every test the catalogue checks, as `<arch>/<test>.litmus` and its text. */
export function catalogueFiles(
  patterns: readonly Pattern[] = CATALOGUE,
): { path: string; text: string }[] {
  return patterns.flatMap((p) =>
    (["MIPS", "X86"] as const).flatMap((arch) =>
      [undefined, ...removable(p, arch)].map((without) => ({
        path: `${arch}/${testName(p, without)}.litmus`,
        text: spellLitmus(p, arch, without),
      })),
    ),
  );
}

export function verifyCatalogue(patterns: readonly Pattern[] = CATALOGUE): VerifyRow[] {
  const rows: VerifyRow[] = [];
  for (const p of patterns) {
    for (const arch of ["MIPS", "X86"] as const) {
      for (const without of [undefined, ...removable(p, arch)]) {
        const litmus = spellLitmus(p, arch, without);
        const test = parseLitmus(litmus, `${p.name}.litmus`);
        for (const model of modelsFor(arch)) {
          const result = checkTest(test, model);
          rows.push({
            pattern: p.name,
            arch,
            model: model.name,
            variant: without === undefined ? "as-kernel" : `without-${without}`,
            safe: result.positive === 0,
            litmus,
            result,
          });
        }
      }
    }
  }
  return rows;
}
