/*
 * `smpnet run [kernel flags] [--seed N] [--json] -- <workload...>`: one
 * kernel on one workload; prints what the workload's tool prints (or, with
 * --json, the run's result: what ran, what came out, its hashes).
 * `smpnet run --replay <result.json>` runs a saved result again and says
 * whether the new one matches it to the bit.
 */

import { ReportError, validateResult } from "@smpnet/report";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { addKernelFlags, type KernelFlags, kernelFromFlags } from "../kernel-file/flags.js";
import { parseIntOption } from "../options.js";
import { runOne, specOf } from "../run/run-one.js";
import { defaultOutDir, saveRun } from "../run/save.js";
import { checkWorkload } from "../run/workload.js";
import { readUserFile } from "../user-file.js";

const RESULT_FILE = {
  give: "a result written by smpnet run --json",
  maxBytes: 1 << 28,
  tooLarge: "a run's result is a few kilobytes to megabytes",
};

/** The seeded generator (pure-rand's xoroshiro128+) takes a 32-bit seed. */
export function parseSeed(text: string | undefined): number {
  if (text === undefined) return 1;
  return parseIntOption("--seed", text, 0, 2 ** 32 - 1, "the generator's seed is 32 bits");
}

function replay(path: string): void {
  let data: unknown;
  try {
    data = JSON.parse(readUserFile(path, RESULT_FILE));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: not JSON; give a result written by smpnet run --json`);
  }
  let saved: ReturnType<typeof validateResult>;
  try {
    saved = validateResult(data);
  } catch (e) {
    if (e instanceof ReportError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
  const again = runOne(specOf(saved), [saved.workload.name, ...saved.workload.args], saved.seed);
  if (again.hash === saved.hash) {
    process.stdout.write(`replay: matches (${saved.hash.slice(7, 23)})\n`);
    return;
  }
  process.stdout.write(
    `replay: differs: saved ${saved.hash.slice(7, 23)}, now ${again.hash.slice(7, 23)} (a different smpnet version, or a bug: please report it)\n`,
  );
  process.exitCode = 1;
}

export function registerRun(program: Command): void {
  const run = program
    .command("run")
    .description("run one kernel on one workload: smpnet run [flags] -- iperf3 -c dut -R -t 10")
    .argument("[workload...]", "the workload's command line, after --")
    .option("--seed <n>", "the run's seed (default 1)")
    .option("--json", "print the run's result (what ran, what came out, hashes) as JSON")
    .option(
      "--out <dir>",
      "where to write result.json and the reports (default smpnet-results/<kernel>-<workload>-seed<n>)",
    )
    .option("--replay <result>", "run a saved result again and say whether it matches");
  addKernelFlags(run).action(
    (
      workload: string[],
      opts: KernelFlags & { seed?: string; json?: boolean; replay?: string; out?: string },
    ) => {
      if (opts.replay !== undefined) {
        if (workload.length > 0)
          throw new UsageError("--replay: takes no workload; the result names its own");
        replay(opts.replay);
        return;
      }
      checkWorkload(workload);
      const kernel = kernelFromFlags(opts);
      const r = runOne(kernel, workload, parseSeed(opts.seed));
      const dir = saveRun(r, opts.out ?? defaultOutDir(r));
      process.stderr.write(`smpnet: results in ${dir}\n`);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      const out = r.output as { stdout: string; stderr: string; status: number };
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      process.exitCode = out.status;
    },
  );
}
