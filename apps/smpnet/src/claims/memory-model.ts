/*
 * DESIGN.md question 6 from @smpnet/memmodel's verify catalogue: each
 * reclamation and publication pattern as the kernels write it, and without
 * each of its fences, checked under sc and each architecture's model. The
 * fences a model needs are those whose removal makes the pattern unsafe
 * under it. No modelled cost enters: the answer is the models' alone.
 */
import { CATALOGUE, verifyCatalogue } from "@smpnet/memmodel";
import { type Claim, type Figures, verdict } from "./claim.js";

function fences(): Figures {
  const out: Figures = {};
  const rows = verifyCatalogue(CATALOGUE);
  out.unsafeAsKernel = rows
    .filter((r) => r.removes === "nothing" && !r.safe)
    .map((r) => `${r.pattern} on ${r.arch} under ${r.model}`);
  for (const r of rows) {
    if (r.removes !== "fence") continue;
    const key = `${r.pattern}.${r.arch}.${r.model}`;
    const needed = (out[key] as string[] | undefined) ?? [];
    if (!r.safe) needed.push(r.variant.replace(/^without-/, ""));
    out[key] = needed;
  }
  // a fence one model needs and sc, on the same architecture, does not
  out.neededOnlyByWeakModels = rows
    .filter((r) => r.removes === "fence" && !r.safe && r.model !== "sc")
    .filter((r) =>
      rows.some(
        (s) =>
          s.model === "sc" &&
          s.safe &&
          s.pattern === r.pattern &&
          s.arch === r.arch &&
          s.variant === r.variant,
      ),
    )
    .map((r) => `${r.pattern}: ${r.variant.replace(/^without-/, "")} (${r.model})`);
  return out;
}

export const memoryModels: Claim = {
  id: "6",
  title: "lock-free code correct on one memory model can be wrong on another",
  seed: "Lock-free code that is correct on one memory model can be wrong on another: the lab shows which fences each primitive needs on Octeon, on x86-TSO and under SC. (DESIGN.md, question 6; kernel.md section 10: weak-ordering concerns about smr(9) on NetBSD's architectures)",
  runs: {},
  estimates: [],
  local: () => fences(),
  judge(_runs, local) {
    const allSafe = (local.unsafeAsKernel as string[]).length === 0;
    const differs = (local.neededOnlyByWeakModels as string[]).length > 0;
    return verdict(local, [
      [allSafe, "a pattern as the kernel writes it is unsafe under some model"],
      [differs, "no fence is needed under a weak model that sc does without"],
    ]);
  },
};
