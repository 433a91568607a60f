/*
 * Issue 20: the result of a run validates against @smpnet/report's schema
 * for every workload the app runs and every policy it ships (each scheme of
 * those that take one). Runs are tiny (64 KB, a few transactions, 100 UDP
 * datagrams of 1400 bytes: netperf's default message, 9216 bytes, is above
 * the MTU and the model does not fragment); the result goes through JSON
 * first, as a saved result.json does. Every lockstat record names its caller.
 */
import { POLICIES } from "@smpnet/policies";
import { type RunResult, validateResult } from "@smpnet/report";
import { describe, expect, it } from "vitest";
import { checkKernelSpec } from "../src/kernel-file/read.js";
import { runOne } from "../src/run/run-one.js";

const WORKLOADS = [
  ["iperf3", "-c", "dut", "-n", "64K"],
  ["iperf3", "-c", "dut", "-R", "-n", "64K"],
  ["iperf3", "-c", "dut", "-u", "-n", "64K"],
  ["netperf", "-H", "dut", "-t", "TCP_STREAM", "-l", "-65536"],
  ["netperf", "-H", "dut", "-t", "TCP_MAERTS", "-l", "-65536"],
  ["netperf", "-H", "dut", "-t", "TCP_RR", "-l", "-5"],
  ["netperf", "-H", "dut", "-t", "TCP_CRR", "-l", "-5"],
  ["netperf", "-H", "dut", "-t", "UDP_RR", "-l", "-5"],
  ["netperf", "-H", "dut", "-t", "UDP_STREAM", "-l", "-140000", "--", "-m", "1400"],
];

/** Every shipped policy with each scheme it takes: giant, net-mpsafe, solock-v1/pserialize, ... */
const KERNELS = Object.entries(POLICIES).flatMap(([policy, p]) =>
  p.takes.length === 0 ? [{ policy }] : p.takes.map((reclamation) => ({ policy, reclamation })),
);

function run(kernel: object, workload: string[]): RunResult {
  const spec = checkKernelSpec({ ...kernel, cpus: 2 }, "test");
  return JSON.parse(JSON.stringify(runOne(spec, workload, 1)));
}

describe("the result validates against the schema", () => {
  it("covers the four policies and every scheme of those that take one", () => {
    expect(KERNELS.map((k) => k.policy)).toEqual(
      expect.arrayContaining(["giant", "net-mpsafe", "solock-v1", "split"]),
    );
    expect(KERNELS.length).toBe(10);
  });

  it("refuses a result with a field the schema does not allow, and one of an older version", () => {
    const result = run({ policy: "giant" }, WORKLOADS[0]!);
    expect(() => validateResult({ ...result, cpus: "two" })).toThrow(/cpus/);
    expect(() => validateResult({ ...result, version: 0 })).toThrow(/version/);
  });

  for (const kernel of KERNELS) {
    for (const workload of WORKLOADS) {
      it(`${Object.values(kernel).join("/")}: ${workload.join(" ")}`, () => {
        const result = run(kernel, workload);
        expect(validateResult(result)).toEqual(result);
        expect((result.output as { status: number }).status).toBe(0);
        // lockstat names who took each lock: a kernel function, a system call, an interrupt or a thread
        expect(result.lockstat.filter((r) => r.caller === "?")).toEqual([]);
      });
    }
  }
});
