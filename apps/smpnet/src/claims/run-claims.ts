/*
 * Runs claims: every kernel run a claim names, once as the hardware has it
 * and once per estimate it depends on halved and doubled, each distinct run
 * once on the app's pool of workers; the in-process parts on this thread
 * meanwhile. Then each claim judged on its base runs (what it measured,
 * whether it holds) and on each scaled set (whether it still holds).
 */
import { availableParallelism } from "node:os";
import { canonicalJson, type RunResult } from "@smpnet/report";
import { HARDWARE } from "../kernel-file/hardware.js";
import { checkKernelSpec } from "../kernel-file/read.js";
import { scaleHardware } from "../kernel-file/scale.js";
import type { SweepLine } from "../sweep/line.js";
import type { SweepRun } from "../sweep/matrix.js";
import { runSweep } from "../sweep/pool.js";
import { progress } from "../sweep/progress.js";
import type { Claim, Figures, Verdict } from "./claim.js";

/** Halved and doubled, as issue 21 asks of every estimate a claim depends on. */
export const FACTORS = [0.5, 2] as const;

export interface Sensitivity {
  constant: string;
  factor: number;
  holds: boolean;
  why?: string;
}

export interface ClaimReport extends Verdict {
  claim: string;
  title: string;
  seed: string;
  command: string;
  sensitivity: Sensitivity[];
  /** Scaled constants under which the verdict differs from the base one. */
  flipsWhen: string[];
  limits?: string;
}

interface Case {
  claim: Claim;
  scale: Record<string, number>;
  /** Run name to index into the sweep. */
  runs: Record<string, number>;
  local: Figures;
}

function cases(claims: readonly Claim[]): Case[] {
  const out: Case[] = [];
  for (const claim of claims) {
    out.push({ claim, scale: {}, runs: {}, local: {} });
    for (const constant of claim.estimates)
      for (const f of FACTORS) out.push({ claim, scale: { [constant]: f }, runs: {}, local: {} });
  }
  return out;
}

export async function runClaims(claims: readonly Claim[], seed: number): Promise<ClaimReport[]> {
  const all = cases(claims);
  const sweep: SweepRun[] = [];
  const byKey = new Map<string, number>();
  for (const c of all) {
    for (const [name, run] of Object.entries(c.claim.runs)) {
      const scaled =
        Object.keys(c.scale).length === 0 ? run.kernel : { ...run.kernel, scale: c.scale };
      const kernel = checkKernelSpec(scaled, `claim ${c.claim.id}`);
      const key = canonicalJson({ kernel, workload: run.workload });
      let index = byKey.get(key);
      if (index === undefined) {
        index = sweep.length;
        byKey.set(key, index);
        sweep.push({ index, kernel, workload: run.workload, seed });
      }
      c.runs[name] = index;
    }
  }
  const results: RunResult[] = [];
  const running =
    sweep.length === 0
      ? Promise.resolve()
      : runSweep(
          sweep,
          sweep,
          Math.min(sweep.length, availableParallelism()),
          progress(sweep.length),
          (line) => {
            results[line.index] = (JSON.parse(line.json) as SweepLine).result;
          },
        );
  // the in-process parts while the workers run the kernels
  const done = new Map<string, Figures>();
  for (const c of all) {
    const local = c.claim.local;
    if (local === undefined) continue;
    // claims that share an in-process experiment run it once per scaling
    const key = `${claims.findIndex((o) => o.local === local)}:${canonicalJson(c.scale)}`;
    c.local = done.get(key) ?? local(scaleHardware(HARDWARE.er4, c.scale));
    done.set(key, c.local);
  }
  await running;
  const judge = (c: Case): Verdict =>
    c.claim.judge(
      Object.fromEntries(Object.entries(c.runs).map(([n, i]) => [n, results[i]!])),
      c.local,
    );
  return claims.map((claim) => {
    const mine = all.filter((c) => c.claim === claim);
    const base = judge(mine[0]!);
    const sensitivity = mine.slice(1).map((c) => {
      const v = judge(c);
      const [constant, factor] = Object.entries(c.scale)[0]!;
      return { constant, factor, holds: v.holds, ...(v.why === undefined ? {} : { why: v.why }) };
    });
    const flipsWhen = sensitivity
      .filter((s) => s.holds !== base.holds)
      .map((s) => `${s.constant} x${s.factor}`);
    const hinge = base.measured.hingesOn;
    return {
      claim: claim.id,
      title: claim.title,
      seed: claim.seed,
      command: `smpnet claims --claim ${claim.id}`,
      ...base,
      sensitivity,
      flipsWhen: typeof hinge === "string" ? [...flipsWhen, hinge] : flipsWhen,
      ...(base.holds || claim.limits === undefined ? {} : { limits: claim.limits }),
    };
  });
}
