/*
 * A sweep's worker thread: runs one run of the matrix at a time and hands
 * its result back to the pool (sweep/pool.ts) as JSON text: a string
 * crosses to the main thread far cheaper than the object graph, and the
 * main thread would only have written it out again.
 */

import { runOne } from "./run/run-one.js";
import type { SweepRun } from "./sweep/matrix.js";

export default function run(r: SweepRun): string {
  return JSON.stringify(runOne(r.kernel, r.workload, r.seed));
}
