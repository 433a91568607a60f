/*
 * `smpnet sweep <matrix> [--shard i/n] [--workers N]`: every run of a
 * matrix (kernels x workloads x seeds), or a shard of it, on a pool of
 * worker threads; one JSON line per run on stdout, in matrix order, so the
 * output does not depend on the number of workers. `smpnet merge` joins
 * shards' outputs into what the unsharded sweep prints.
 */
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { parseShard, readMatrixFile, shardRuns } from "../sweep/matrix.js";
import { mergeShards } from "../sweep/merge.js";
import { runSweep } from "../sweep/pool.js";
import { progress } from "../sweep/progress.js";

function workerCount(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1 && n <= 256)) {
    throw new UsageError(`--workers: expected a whole number from 1 to 256, got "${text}"`);
  }
  return n;
}

export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description("run every kernel x workload x seed of a matrix file on a pool of worker threads")
    .argument("<matrix>", "a matrix file (.yaml or .json): kernels, workloads, seeds")
    .option("--shard <i/n>", "run only shard i of n (0-based): every n-th run from the i-th")
    .option("--workers <n>", "worker threads (default: the machine's CPUs)")
    .action(async (file: string, opts: { shard?: string; workers?: string }) => {
      const all = readMatrixFile(file);
      const mine = opts.shard === undefined ? all : shardRuns(all, parseShard(opts.shard));
      const workers = workerCount(opts.workers);
      if (mine.length === 0) return;
      await runSweep(all, mine, workers, progress(mine.length), (line) => {
        process.stdout.write(`${line.json}\n`);
      });
    });
  program
    .command("merge")
    .description("join the outputs of a sweep's shards into what one unsharded sweep prints")
    .argument("<files...>", "the shards' outputs (JSON lines)")
    .action((files: string[]) => {
      const lines = mergeShards(files);
      process.stdout.write(lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    });
}
