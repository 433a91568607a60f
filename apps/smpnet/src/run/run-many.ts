/*
 * Several kernels on one workload, on the sweep's pool of worker threads,
 * each result saved in a folder of its own under `out`: what `compare` and
 * the default experiment run.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { RunResult } from "@smpnet/report";
import type { ResolvedKernelSpec } from "../kernel-file/spec.js";
import type { SweepLine } from "../sweep/line.js";
import type { SweepRun } from "../sweep/matrix.js";
import { runSweep } from "../sweep/pool.js";
import { progress } from "../sweep/progress.js";
import { defaultOutDir, saveRun } from "./save.js";

export async function runKernels(
  kernels: readonly ResolvedKernelSpec[],
  workload: string[],
  seed: number,
  out: string | undefined,
): Promise<{ results: RunResult[]; dirs: string[] }> {
  const runs: SweepRun[] = kernels.map((kernel, index) => ({ index, kernel, workload, seed }));
  const results: RunResult[] = [];
  const workers = Math.min(runs.length, availableParallelism());
  await runSweep(runs, runs, workers, progress(runs.length), (line) =>
    results.push((JSON.parse(line.json) as SweepLine).result),
  );
  const dirs = results.map((r) => {
    const own = defaultOutDir(r);
    return saveRun(r, out === undefined ? own : join(out, own.split("/").pop()!));
  });
  return { results, dirs };
}
