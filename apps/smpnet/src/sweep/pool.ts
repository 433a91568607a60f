/*
 * Runs a sweep's runs on a pool of worker threads (tinypool) and hands
 * back their lines in matrix order, whatever order they finish in, so the
 * output of one sweep is the same for any number of workers.
 */

import { createHash } from "node:crypto";
import { canonicalJson } from "@smpnet/report";
import { Tinypool } from "tinypool";
/** A finished run as the JSON line of a SweepLine. */
export interface SweepText {
  index: number;
  json: string;
}

import type { SweepRun } from "./matrix.js";
import type { Progress } from "./progress.js";

/** The matrix's identity: every run, in order. */
export function sweepHash(all: readonly SweepRun[]): string {
  const runs = all.map((r) => ({ kernel: r.kernel, workload: r.workload, seed: r.seed }));
  return `sha256:${createHash("sha256").update(canonicalJson(runs)).digest("hex")}`;
}

export async function runSweep(
  all: readonly SweepRun[],
  mine: readonly SweepRun[],
  workers: number,
  progress: Progress,
  emit: (line: SweepText) => void,
): Promise<void> {
  const sweep = sweepHash(all);
  const pool = new Tinypool({
    filename: new URL("./sweep-worker.js", import.meta.url).href,
    minThreads: Math.min(workers, mine.length),
    maxThreads: workers,
    // Each run is a whole simulation; keep threads for the next one.
    idleTimeout: 0,
  });
  const ready = new Map<number, SweepText>();
  let next = 0;
  const flush = () => {
    for (
      let line = ready.get(mine[next]?.index ?? -1);
      line !== undefined;
      line = ready.get(mine[next]?.index ?? -1)
    ) {
      emit(line);
      ready.delete(line.index);
      next++;
    }
  };
  let taken = 0;
  // One lane per worker: `running` in the progress is what really runs.
  const lane = async () => {
    for (let k = taken++; k < mine.length; k = taken++) {
      const run = mine[k]!;
      progress.started();
      const result: string = await pool.run(run);
      progress.finished();
      // the text JSON.stringify gives a SweepLine {sweep, index, runs, result}
      const json = `{"sweep":${JSON.stringify(sweep)},"index":${run.index},"runs":${all.length},"result":${result}}`;
      ready.set(run.index, { index: run.index, json });
      flush();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(workers, mine.length) }, lane));
  } finally {
    progress.stop();
    await pool.destroy();
  }
}
