/*
 * `smpnet iperf3 <iperf3's flags>` and `smpnet netperf <netperf's flags>`:
 * the workload on the default kernel (an EdgeRouter-4 with `giant`,
 * NetBSD's softints and TCP defaults, a 1 GbE wire to an ideal peer),
 * printing exactly what the tool prints and ending with its exit status.
 * `--policy`, `--cpus` and `--seed`, before the tool's flags, choose the
 * kernel until the `run` command takes that over.
 */

import { er4 } from "@smpnet/hw-octeon";
import type { NetKernel } from "@smpnet/netinet";
import { POLICIES } from "@smpnet/policies";
import { iperf3, netperf, type ToolOutput } from "@smpnet/workloads";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { assembleKernel } from "../kernel-file/assemble.js";
import { checkKernelSpec } from "../kernel-file/read.js";
import { parseIntOption } from "../options.js";

interface KernelChoice {
  policy: string;
  cpus: number;
  seed: number;
}

/** The app's own options, before the tool's first flag; the rest is the tool's. */
function splitArgs(args: readonly string[]): [KernelChoice, string[]] {
  const k: KernelChoice = { policy: "giant", cpus: er4.cpus, seed: 1 };
  let i = 0;
  for (; i < args.length; i++) {
    const [name, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (name !== "--policy" && name !== "--cpus" && name !== "--seed") break;
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`${name}: expected a value after it`);
    if (name === "--policy") {
      if (!(value in POLICIES)) {
        throw new UsageError(
          `--policy: no policy named "${value}"; choose one of ${Object.keys(POLICIES).join(", ")}`,
        );
      }
      k.policy = value;
    } else if (name === "--cpus") {
      k.cpus = parseIntOption("--cpus", value, 1, er4.cpus, `the ${er4.name} has ${er4.cpus}`);
    } else k.seed = parseIntOption("--seed", value, 0, Number.MAX_SAFE_INTEGER);
  }
  return [k, args.slice(i)];
}

function run(args: readonly string[], tool: (k: NetKernel, argv: string[]) => ToolOutput): void {
  const [choice, argv] = splitArgs(args);
  const spec = checkKernelSpec({ policy: choice.policy, cpus: choice.cpus }, "flags");
  const r = tool(assembleKernel(spec, choice.seed), argv);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.status;
}

export function registerTools(program: Command): void {
  for (const [name, tool, what] of [
    ["iperf3", iperf3, "iperf3 3.12's client flags (-c dut ...)"],
    ["netperf", netperf, "netperf 2.7.1's flags (-H dut -t TCP_RR ...)"],
  ] as const) {
    program
      .command(name)
      .description(
        `run ${name} on the default kernel (ER-4, giant, 1 GbE to an ideal peer) with ${what}; --policy, --cpus and --seed first`,
      )
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument("[flags...]")
      .action((_flags: unknown, _opts: unknown, command: Command) => {
        run(command.args, tool);
      });
  }
}
