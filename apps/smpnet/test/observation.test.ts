/*
 * Watching a run must not change it: the sim runs kernel code in place
 * between events and through its loop at events, and the two must agree to
 * the bit. A periodic event that does nothing (what a sampler or a trace
 * tick adds) splits every stretch of in-place code at other instants; the
 * result, its hash included, must be the one the unwatched run gives.
 */
import type { NetKernel } from "@smpnet/netinet";
import { describe, expect, it } from "vitest";
import { checkKernelSpec } from "../src/kernel-file/read.js";
import { runOne } from "../src/run/run-one.js";

const tick = (period: number) => (k: NetKernel) => {
  const again = () => k.sim.after(period, again);
  k.sim.after(period, again);
};

describe("a no-op periodic event", () => {
  for (const [kernel, workload] of [
    [{ hw: "er4", policy: "split", reclamation: "epoch" }, "iperf3 -c dut -R -n 1M"],
    [
      { hw: "x86", cpus: 4, policy: "solock-v1", reclamation: "pserialize" },
      "iperf3 -c dut -P 2 -n 1M",
    ],
    [{ hw: "er4", policy: "giant" }, "netperf -H dut -t TCP_RR -l -500"],
  ] as const) {
    it(`leaves ${kernel.policy} on ${kernel.hw} under ${workload} as it was`, () => {
      const spec = checkKernelSpec(kernel, "test");
      const args = workload.split(" ");
      const plain = runOne(spec, args, 3);
      expect((plain.output as { status: number }).status).toBe(0);
      for (const period of [333, 7_777, 100_000]) {
        expect(runOne(spec, args, 3, tick(period)).hash).toBe(plain.hash);
      }
    });
  }
});
