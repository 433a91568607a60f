/*
 * `smpnet compare [--policy a,b,...] [--kernel f ...] [kernel flags] --
 * <workload...>`: several kernels on one workload, run in parallel, printed
 * side by side (format/compare-table.ts). Each policy in --policy and each
 * --kernel file is one kernel; the other kernel flags apply to all.
 */
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { compareRow, compareTable } from "../format/compare-table.js";
import { addKernelFlags, type KernelFlags, kernelFromFlags } from "../kernel-file/flags.js";
import type { ResolvedKernelSpec } from "../kernel-file/spec.js";
import { runKernels } from "../run/run-many.js";
import { checkWorkload } from "../run/workload.js";
import { parseSeed } from "./run.js";

type CompareFlags = Omit<KernelFlags, "kernel"> & {
  kernel?: string[];
  seed?: string;
  json?: boolean;
  out?: string;
};

function kernelsOf(opts: CompareFlags): ResolvedKernelSpec[] {
  const policies = opts.policy?.split(",").map((p) => p.trim()) ?? [];
  if (policies.some((p) => p === "")) {
    throw new UsageError(
      `--policy: expected names separated by commas, e.g. giant,split; got "${opts.policy}"`,
    );
  }
  const files = opts.kernel ?? [];
  const { kernel: _files, policy: _policies, ...common } = opts;
  const out = [
    ...files.map((kernel) => kernelFromFlags({ ...common, kernel })),
    ...policies.map((p) => kernelFromFlags(common, p)),
  ];
  if (out.length < 2) {
    throw new UsageError(
      "compare: give at least two kernels, e.g. --policy giant,split or --kernel a.yaml --kernel b.yaml",
    );
  }
  return out;
}

export function registerCompare(program: Command): void {
  const c = program
    .command("compare")
    .description(
      "run several kernels on one workload and print them side by side: smpnet compare --policy giant,split -- iperf3 -c dut -R",
    )
    .argument("[workload...]", "the workload's command line, after --")
    .option("--seed <n>", "the runs' seed (default 1)")
    .option("--json", "print one JSON object per kernel instead of the table")
    .option(
      "--out <dir>",
      "where to write each kernel's result.json and reports (default smpnet-results/)",
    );
  addKernelFlags(c, true).action(async (workload: string[], opts: CompareFlags) => {
    checkWorkload(workload);
    const kernels = kernelsOf(opts);
    const { results, dirs } = await runKernels(kernels, workload, parseSeed(opts.seed), opts.out);
    process.stderr.write(`smpnet: results in ${dirs.join(", ")}\n`);
    const rows = results.map(compareRow);
    process.stdout.write(
      opts.json ? rows.map((r) => `${JSON.stringify(r)}\n`).join("") : `${compareTable(rows)}\n`,
    );
  });
}
