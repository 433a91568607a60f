import { describe, expect, it } from "vitest";
import { iperf3 } from "../src/index.js";
import { testKernel } from "./fixtures.js";

interface Interval {
  sum: { bytes: number; retransmits?: number };
  streams: { bytes: number; retransmits?: number }[];
}

describe("iperf3's numbers agree with each other and with the kernel", () => {
  it("interval bytes sum to the summary, on both ends; the receiver's bytes are what the server read", () => {
    const r = iperf3(testKernel(), ["-c", "dut", "-P", "2", "-n", "14M", "-i", "0.1", "-J"]);
    const j = JSON.parse(r.stdout);
    const intervals: Interval[] = j.intervals;
    expect(intervals.length).toBeGreaterThan(1);
    const sum = intervals.reduce((a, i) => a + i.sum.bytes, 0);
    expect(sum).toBe(j.end.sum_sent.bytes);
    for (const i of intervals) expect(i.streams.reduce((a, s) => a + s.bytes, 0)).toBe(i.sum.bytes);
    const server = r.server!;
    const serverIntervals = server.streams.flatMap((s) => s.intervals.map((x) => x.bytes));
    expect(serverIntervals.reduce((a, b) => a + b, 0)).toBe(j.end.sum_received.bytes);
    // the stack delivered at least what the server read, and the server read no more than was sent
    expect(r.client!.stack.host.name).toBe("peer");
    expect(j.end.sum_received.bytes).toBeLessThanOrEqual(j.end.sum_sent.bytes);
    expect(j.end.sum_received.bytes).toBeGreaterThan(0.9 * j.end.sum_sent.bytes);
  });

  it("is deterministic: the same seed gives the same output to the bit, another seed another", () => {
    const run = (seed: number) =>
      iperf3(testKernel({ seed }), ["-c", "dut", "-n", "1M", "-J"]).stdout;
    const a = run(7);
    expect(run(7)).toBe(a);
    expect(run(8)).not.toBe(a);
  });

  it("retransmits are the sender's connections' retransmitted segments, as tcpstat counts them", () => {
    const k = testKernel({ ideal: true, wire: { lossRate: 0.01 } });
    const r = iperf3(k, ["-c", "dut", "-R", "-n", "4M", "-J"]);
    const j = JSON.parse(r.stdout);
    const tp = r.server!.streams[0]!.so.so_pcb?.inp_ppcb;
    const rexmit = tp?.t_sndrexmitpack ?? r.server!.streams[0]!.retransmits;
    expect(j.end.sum_sent.retransmits).toBeGreaterThan(0);
    expect(j.end.sum_sent.retransmits).toBe(r.server!.streams[0]!.retransmits);
    expect(j.end.sum_sent.retransmits).toBeLessThanOrEqual(rexmit);
    expect(j.end.sum_sent.retransmits).toBeLessThanOrEqual(k.dut.tcpstat.tcps_sndrexmitpack);
  });

  it("CPU percentages are the hosts' accounting: the ideal peer spends none, the system under test some, total = user + system", () => {
    const k = testKernel();
    const r = iperf3(k, ["-c", "dut", "-R", "-n", "2M", "-J"]);
    const c = JSON.parse(r.stdout).end.cpu_utilization_percent;
    expect([c.host_total, c.host_user, c.host_system]).toEqual([0, 0, 0]);
    expect(c.remote_system).toBeGreaterThan(0);
    expect(c.remote_total).toBeCloseTo(c.remote_user + c.remote_system, 9);
    // the server's system time is the system under test's kernel time over the test, in percent of one CPU
    const s = r.server!;
    const kernelNs = k.dut.host.cpus.reduce((a, cpu) => a + cpu.timeSplit().kernel!, 0);
    expect((c.remote_system / 100) * (s.endNs - s.startNs)).toBeLessThanOrEqual(kernelNs);
  });
});
