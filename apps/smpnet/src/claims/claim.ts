/*
 * What a claim is: what the seed says, the runs that answer it (kernels
 * from kernel specs on a workload's command line, run on the app's pool)
 * and, for the parts no kernel run shows, experiments of the foundation
 * packages run in this process; how its figures decide whether it holds;
 * and the modelled constants marked "estimate" it depends on, each run
 * again halved and doubled.
 */
import type { RunResult } from "@smpnet/report";
import type { NetCosts, Profile } from "@smpnet/sim";
import type { KernelSpec } from "../kernel-file/spec.js";

export interface ClaimRun {
  kernel: KernelSpec;
  workload: string[];
}

export type Figures = Record<string, number | string | boolean | string[] | null>;

export interface Verdict {
  measured: Figures;
  holds: boolean;
  /** Which part failed, in a few words, when it does not hold. */
  why?: string;
}

export interface Claim {
  id: string;
  title: string;
  /** What the seed says, quoted from DESIGN.md or kernel.md. */
  seed: string;
  runs: Record<string, ClaimRun>;
  /** Paths of the estimates it depends on, as a kernel spec's `scale` names them. */
  estimates: string[];
  /**
   * The in-process part, on the ER-4's profile and path costs (scaled for a
   * sensitivity check); its figures are merged into the judge's.
   */
  local?: (hw: { profile: Profile; netCosts: NetCosts }) => Figures;
  judge(runs: Record<string, RunResult>, local: Figures): Verdict;
  /** What the model does not show of it, when it does not hold. */
  limits?: string;
}

/** The verdict of a claim's checks: it holds when all pass; `why` is the first that does not. */
export function verdict(
  measured: Figures,
  checks: readonly (readonly [boolean, string])[],
): Verdict {
  const failed = checks.find(([ok]) => !ok);
  return { measured, holds: failed === undefined, ...(failed ? { why: failed[1] } : {}) };
}
