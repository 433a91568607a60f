/*
 * A sweep's matrix: kernels x workloads x seeds, in that order, so run i is
 * the same run on every machine and a shard is a plain slice of indices.
 */
import * as v from "valibot";
import { UsageError } from "../errors.js";
import { checkKernelSpec, parseDataFile } from "../kernel-file/read.js";
import type { ResolvedKernelSpec } from "../kernel-file/spec.js";
import { readUserFile } from "../user-file.js";
import { splitCommandLine } from "./command-line.js";

/** One run of a sweep: its place in the matrix and what it runs. */
export interface SweepRun {
  index: number;
  kernel: ResolvedKernelSpec;
  /** The workload's command line, e.g. ["iperf3", "-c", "dut", "-R", "-t", "10"]. */
  workload: string[];
  seed: number;
}

const seedSchema = v.pipe(
  v.number("expected a seed, a whole number from 0 to 2^32-1"),
  v.integer("expected a seed, a whole number from 0 to 2^32-1"),
  v.minValue(0, "expected a seed from 0 to 2^32-1"),
  v.maxValue(2 ** 32 - 1, "expected a seed from 0 to 2^32-1 (the run's generator keeps 32 bits)"),
);

const MatrixSchema = v.strictObject({
  kernels: v.pipe(
    v.array(v.unknown(), "expected a list of kernels (each as in a kernel file)"),
    v.minLength(1, "expected at least one kernel"),
  ),
  workloads: v.pipe(
    v.array(
      v.pipe(
        v.string('expected a workload\'s command line, e.g. "iperf3 -c dut -R -t 10"'),
        v.minLength(1),
      ),
      "expected a list of workload command lines",
    ),
    v.minLength(1, "expected at least one workload"),
  ),
  seeds: v.pipe(
    v.array(seedSchema, "expected a list of seeds, e.g. [1, 2, 3]"),
    v.minLength(1, "expected at least one seed"),
  ),
});

const MATRIX_FILE = {
  give: "a sweep matrix (.yaml, .yml or .json)",
  maxBytes: 1 << 20,
  tooLarge: "a matrix names kernels, workloads and seeds in a few lines",
};

/** The runs of a matrix given as data; `where` starts every message. */
export function matrixRuns(data: unknown, where: string): SweepRun[] {
  const r = v.safeParse(MatrixSchema, data);
  if (!r.success) {
    throw new UsageError(
      r.issues
        .map((i) => {
          const path = v.getDotPath(i);
          const unknown = i.type === "strict_object" && i.input !== undefined;
          return `${where}: ${path ?? "matrix"}: ${unknown ? "unknown field; the fields are kernels, workloads, seeds" : i.message}`;
        })
        .join("\n"),
    );
  }
  const kernels = r.output.kernels.map((k, i) => checkKernelSpec(k, `${where}: kernels.${i}`));
  const workloads = r.output.workloads.map((w, i) =>
    splitCommandLine(w, `${where}: workloads.${i}`),
  );
  const runs: SweepRun[] = [];
  for (const kernel of kernels) {
    for (const workload of workloads) {
      for (const seed of r.output.seeds) runs.push({ index: runs.length, kernel, workload, seed });
    }
  }
  return runs;
}

export function readMatrixFile(path: string): SweepRun[] {
  return matrixRuns(parseDataFile(path, readUserFile(path, MATRIX_FILE)), path);
}

/** Shard `i` of `n` ("i/n", 0-based): every n-th run from the i-th, so shards take equal shares. */
export function parseShard(text: string): { i: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const i = m ? Number(m[1]) : Number.NaN;
  const n = m ? Number(m[2]) : Number.NaN;
  if (!(n >= 1 && i >= 0 && i < n)) {
    throw new UsageError(
      `--shard: expected i/n with 0 <= i < n (e.g. 0/4 for the first of four), got "${text}"`,
    );
  }
  return { i, n };
}

export function shardRuns(runs: readonly SweepRun[], shard: { i: number; n: number }): SweepRun[] {
  return runs.filter((r) => r.index % shard.n === shard.i);
}
