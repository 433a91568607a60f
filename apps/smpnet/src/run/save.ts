/*
 * Where a run's outputs go: result.json beside the reports made from it
 * (lockstat text, trace, folded stacks, flame graph, HTML), in a folder
 * named for the kernel, workload and seed unless the user names one.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunResult, writeReport } from "@smpnet/report";
import { UsageError } from "../errors.js";

export function defaultOutDir(r: RunResult): string {
  const slug = (s: string) => s.replace(/[^\w.+-]+/g, "_");
  return join("smpnet-results", slug(`${r.kernel.name}-${r.workload.name}-seed${r.seed}`));
}

/** Writes the run's result and reports into `dir`; returns the folder. */
export function saveRun(r: RunResult, dir: string): string {
  try {
    writeReport(r, dir);
    writeFileSync(join(dir, "result.json"), `${JSON.stringify(r)}\n`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    throw new UsageError(
      `--out: cannot write the results into ${dir} (${code}); give a folder you can write to`,
    );
  }
  return dir;
}
