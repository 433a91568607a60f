/*
 * What a long run must not accumulate (the bench's long-run-heap, made
 * checkable in a short run): the driver's transmit ring holds at most its
 * size of frames (a descriptor ring, reused in place), and the simulator's
 * sleep queues stay one per thing slept on, not one per select(2) call.
 */
import type { NetKernel } from "@smpnet/netinet";
import { describe, expect, it } from "vitest";
import { checkKernelSpec } from "../src/kernel-file/read.js";
import { runOne } from "../src/run/run-one.js";

describe("a stream at line rate on the ER-4", () => {
  let k: NetKernel | undefined;
  let longest = 0; // frames on the ring, sampled every simulated millisecond while the stream runs
  const sample = (w: NetKernel) => {
    longest = Math.max(longest, w.dut.ifp.txRing.count);
    if (w.sim.now < 1e9) w.sim.after(1e6, sample, w);
  };
  const spec = checkKernelSpec({}, "test");
  const result = runOne(spec, ["iperf3", "-c", "dut", "-R", "-n", "24M"], 1, (watched) => {
    k = watched;
    watched.sim.after(1e6, sample, watched);
  });

  it("ran to the end", () => {
    expect((result.output as { status: number }).status).toBe(0);
    expect(k!.dut.ifp.if_data.if_opackets).toBeGreaterThan(3 * k!.dut.ifp.nic.txRingSize);
  });

  it("keeps the transmit ring within its size", () => {
    expect(longest).toBeGreaterThan(0);
    expect(longest).toBeLessThanOrEqual(k!.dut.ifp.nic.txRingSize);
  });

  it("keeps a sleep queue per wait channel, not per select call", () => {
    for (const host of [k!.dut.host, k!.peer.host]) {
      const queues = (host as unknown as { sleepq: Map<unknown, unknown[]> }).sleepq;
      expect(queues.size).toBeLessThan(100);
    }
  });
});
