/*
 * Runs the catalogue under every model: each pattern as the kernel has it
 * and weakened by each of its variants, spelled for MIPS (under mips and sc)
 * and for X86 (under x86tso and sc). A row is safe when no allowed
 * execution reaches the pattern's bad outcome.
 */
import { type CheckResult, checkTest } from "../check.js";
import { parseLitmus } from "../litmus/parse.js";
import type { ModelName } from "../model.js";
import { modelsFor } from "../models/registry.js";
import type { Arch } from "../program.js";
import type { Pattern, Variant, VariantKind } from "./pattern.js";
import { CATALOGUE } from "./patterns.js";
import { spellLitmus, testName, variantSlug, variantsOf } from "./spell.js";

export interface VerifyRow {
  readonly pattern: string;
  readonly arch: Arch;
  readonly model: ModelName;
  /** `as-kernel`, `without-<fence site or step>` or `plain-<atomic>`. */
  readonly variant: string;
  /** What the variant leaves out; `nothing` for the pattern as the kernel has it. */
  readonly removes: VariantKind | "nothing";
  readonly safe: boolean;
  /** The .litmus text that was checked. */
  readonly litmus: string;
  readonly result: CheckResult;
}

const ARCHS = ["MIPS", "X86"] as const;

/** The pattern as the kernel has it, then each variant that changes it on `arch`. */
function spellings(p: Pattern, arch: Arch): (Variant | undefined)[] {
  return [undefined, ...variantsOf(p, arch)];
}

/** Every test the catalogue checks, as `<arch>/<test>.litmus` and its text. */
export function catalogueFiles(
  patterns: readonly Pattern[] = CATALOGUE,
): { path: string; text: string }[] {
  return patterns.flatMap((p) =>
    ARCHS.flatMap((arch) =>
      spellings(p, arch).map((v) => ({
        path: `${arch}/${testName(p, v)}.litmus`,
        text: spellLitmus(p, arch, v),
      })),
    ),
  );
}

export function verifyCatalogue(patterns: readonly Pattern[] = CATALOGUE): VerifyRow[] {
  const rows: VerifyRow[] = [];
  for (const p of patterns) {
    for (const arch of ARCHS) {
      for (const v of spellings(p, arch)) {
        const litmus = spellLitmus(p, arch, v);
        const test = parseLitmus(litmus, `${testName(p, v)}.litmus`);
        for (const model of modelsFor(arch)) {
          const result = checkTest(test, model);
          rows.push({
            pattern: p.name,
            arch,
            model: model.name,
            variant: variantSlug(v),
            removes: v?.kind ?? "nothing",
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
