/*
 * `smpnet` with no command: the seed's experiment. The EdgeRouter-4 sends
 * one TCP stream (`iperf3 -c dut -R`) under the four locking designs the
 * seed discusses (giant, net-mpsafe, solock-v1 with pserialize as in the
 * seed's patch, split with epoch), run in parallel and printed side by side:
 * throughput, where the CPUs went, the most-spun lock and its callers,
 * callout lateness and watchdog misses.
 */
import type { Command } from "commander";
import { compareRow, compareTable } from "../format/compare-table.js";
import { checkKernelSpec } from "../kernel-file/read.js";
import { parseIntOption } from "../options.js";
import { runKernels } from "../run/run-many.js";
import { parseSeed } from "./run.js";

/** The seed's four kernels, on the ER-4 with NetBSD's softints. */
export const SEED_KERNELS = [
  { policy: "giant" },
  { policy: "net-mpsafe" },
  { policy: "solock-v1", reclamation: "pserialize" },
  { policy: "split", reclamation: "epoch" },
] as const;

/**
 * Simulated seconds by default: the stream is at line rate within 50 ms,
 * and 4 kernels of 5 s run in well under a minute on two cores (iperf3
 * -R at about 0.25-0.4 simulated s per wall s, measured 2026-12-06).
 */
const DEFAULT_SECONDS = 5;

export function registerExperiment(program: Command): void {
  program
    .option("--seed <n>", "the runs' seed (default 1)")
    .option(
      "--seconds <n>",
      `simulated seconds of iperf3 -R (iperf3's -t; default ${DEFAULT_SECONDS})`,
    )
    .option("--json", "print one JSON object per kernel instead of the table")
    .option(
      "--out <dir>",
      "where to write each kernel's result.json and reports (default smpnet-results/)",
    )
    .action(async (opts: { seed?: string; seconds?: string; json?: boolean; out?: string }) => {
      const seconds =
        opts.seconds === undefined
          ? DEFAULT_SECONDS
          : parseIntOption(
              "--seconds",
              opts.seconds,
              1,
              60,
              "a simulated second takes a few wall seconds",
            );
      const seed = parseSeed(opts.seed);
      const workload = ["iperf3", "-c", "dut", "-R", "-t", String(seconds)];
      const kernels = SEED_KERNELS.map((k) => checkKernelSpec({ ...k }, "experiment"));
      const { results, dirs } = await runKernels(kernels, workload, seed, opts.out);
      process.stderr.write(`smpnet: results in ${dirs.join(", ")}\n`);
      const rows = results.map(compareRow);
      if (opts.json) {
        process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
        return;
      }
      process.stdout.write(
        `smpnet: the seed's experiment: EdgeRouter-4 (4 cores, 1 GbE) sending one TCP stream, iperf3 -c dut -R -t ${seconds}, seed ${seed}\n` +
          "CPU shares are of all the ER-4's CPU time.\n\n",
      );
      process.stdout.write(`${compareTable(rows)}\n`);
    });
}
