/*
 * A sweep's worker thread: runs one run of the matrix at a time and hands
 * its result back to the pool (sweep/pool.ts).
 */

import type { RunResult } from "@smpnet/report";
import { runOne } from "./run/run-one.js";
import type { SweepRun } from "./sweep/matrix.js";

export default function run(r: SweepRun): RunResult {
  return runOne(r.kernel, r.workload, r.seed);
}
