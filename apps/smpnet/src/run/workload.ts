/*
 * A workload given as its own command line (`iperf3 -c dut -R -t 10`,
 * `netperf -t TCP_CRR`): the tool's name picks the workload of
 * @smpnet/workloads, the rest are its own flags, parsed by it as the real
 * tool parses them.
 */
import type { NetKernel } from "@smpnet/netinet";
import { iperf3, netperf, type ToolOutput } from "@smpnet/workloads";
import { UsageError } from "../errors.js";

const WORKLOADS: Record<string, (k: NetKernel, argv: readonly string[]) => ToolOutput> = {
  iperf3,
  netperf,
};

/** Checks a workload's command line before anything is assembled. */
export function checkWorkload(argv: readonly string[]): void {
  const tool = argv[0];
  if (tool === undefined) {
    throw new UsageError(
      "no workload: give one after --, e.g. smpnet run -- iperf3 -c dut -R -t 10",
    );
  }
  if (!(tool in WORKLOADS)) {
    throw new UsageError(
      `workload: "${tool}" is not one; the workloads are ${Object.keys(WORKLOADS).join(" and ")} (e.g. -- iperf3 -c dut -R)`,
    );
  }
}

export function runWorkload(k: NetKernel, argv: readonly string[]): ToolOutput {
  checkWorkload(argv);
  return WORKLOADS[argv[0]!]!(k, argv.slice(1));
}
