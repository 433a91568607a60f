import { netProbes } from "@smpnet/netinet";
import { describe, expect, it } from "vitest";
import { iperf3 } from "../src/index.js";
import { COOKIE_SIZE } from "../src/iperf3/protocol.js";
import type { CpuSnapshot } from "../src/iperf3/test.js";
import { seqIn, testKernel, watchConnections } from "./fixtures.js";

interface Interval {
  sum: { bytes: number; retransmits?: number };
  streams: { bytes: number; retransmits?: number }[];
}

describe("iperf3's numbers agree with each other and with the kernel", () => {
  it("interval bytes sum to the summary on both ends; the receiver's bytes are what soreceive copied out", () => {
    const k = testKernel();
    const conns = watchConnections(k, k.dut);
    // every read's bytes on the system under test, by the sequence number of its first byte
    const reads: [seq: number, bytes: number][] = [];
    netProbes(k.sim).user_read.subscribe((_t, cpu, seq, bytes) => {
      if (cpu.host === k.dut.host) reads.push([seq, bytes]);
    });
    const r = iperf3(k, ["-c", "dut", "-P", "2", "-n", "14M", "-i", "0.1", "-J"]);
    const j = JSON.parse(r.stdout);
    const intervals: Interval[] = j.intervals;
    expect(intervals.length).toBeGreaterThan(1);
    expect(intervals.reduce((a, i) => a + i.sum.bytes, 0)).toBe(j.end.sum_sent.bytes);
    for (const i of intervals) expect(i.streams.reduce((a, s) => a + s.bytes, 0)).toBe(i.sum.bytes);
    const server = r.server!;
    const serverIntervals = server.streams.flatMap((s) => s.intervals.map((x) => x.bytes));
    expect(serverIntervals.reduce((a, b) => a + b, 0)).toBe(j.end.sum_received.bytes);
    // each stream's connection: what the reader got out of it, less the cookie read at accept
    let delivered = 0;
    for (const s of server.streams) {
      const tp = conns.get(s.so)!;
      const got = reads
        .filter(([seq]) => seqIn(seq, tp.irs + 1, tp.rcv_nxt))
        .reduce((a, [, n]) => a + n, 0);
      expect(s.bytes).toBe(got - COOKIE_SIZE);
      delivered += got - COOKIE_SIZE;
    }
    expect(j.end.sum_received.bytes).toBe(delivered);
    expect(delivered).toBeGreaterThan(0.9 * j.end.sum_sent.bytes);
  });

  it("is deterministic: the same seed gives the same output to the bit, another seed another", () => {
    const run = (seed: number) =>
      iperf3(testKernel({ seed }), ["-c", "dut", "-n", "1M", "-J"]).stdout;
    const a = run(7);
    expect(run(7)).toBe(a);
    expect(run(8)).not.toBe(a);
  });

  it("retransmits are tcpstat's retransmitted data segments of the test's connection, up to its last interval", () => {
    const k = testKernel({ ideal: true, wire: { lossRate: 0.01 } });
    const conns = watchConnections(k, k.dut);
    // each retransmission on the sender, with tcpstat's count right after it
    const rexmits: [t: number, seq: number, tcpstat: number][] = [];
    netProbes(k.sim).tcp_retransmit.subscribe((t, cpu, _id, seq) => {
      if (cpu.host === k.dut.host) rexmits.push([t, seq, k.dut.tcpstat.tcps_sndrexmitpack]);
    });
    const r = iperf3(k, ["-c", "dut", "-R", "-n", "4M", "-J"]);
    const j = JSON.parse(r.stdout);
    const s = r.server!.streams[0]!;
    const tp = conns.get(s.so)!;
    const upToEnd = rexmits.filter(([t]) => t <= s.endNs);
    // tcpstat counts every one of them, one each
    expect(upToEnd.map(([, , n]) => n)).toEqual(upToEnd.map((_, i) => i + 1));
    const ours = upToEnd.filter(([, seq]) => seqIn(seq, tp.iss, tp.snd_max));
    expect(ours.length).toBeGreaterThan(0);
    // the control connection retransmitted nothing, so tcpstat's count is the stream's
    expect(ours.length).toBe(upToEnd.at(-1)![2]);
    expect(j.end.sum_sent.retransmits).toBe(ours.length);
    expect(j.end.streams[0].sender.retransmits).toBe(ours.length);
    // with -R the sender's intervals are the server's
    expect(s.intervals.reduce((a, i) => a + i.retransmits, 0)).toBe(ours.length);
  });

  it("CPU percentages are each host's accounting over the test, as cpu_util computes them", () => {
    const k = testKernel();
    const r = iperf3(k, ["-c", "dut", "-R", "-n", "2M", "-J"]);
    const c = JSON.parse(r.stdout).end.cpu_utilization_percent;
    const check = (
      snap: [CpuSnapshot, CpuSnapshot],
      startNs: number,
      endNs: number,
      ncpu: number,
      reported: number[],
    ) => {
      const [a, b] = snap;
      // snapshots of the whole machine at the test's start and end: every CPU's classes add up to the time
      expect([a.atNs, b.atNs]).toEqual([startNs, endNs]);
      for (const x of [a, b]) {
        expect(x.splits).toHaveLength(ncpu);
        for (const t of x.splits) expect(Object.values(t).reduce((p, q) => p + q, 0)).toBe(x.atNs);
      }
      // user and system time in whole microseconds over the wall time in microseconds
      const us = (ns: number) => Math.floor(ns / 1000);
      const total = (x: CpuSnapshot, cls: string) => x.splits.reduce((p, t) => p + t[cls]!, 0);
      const wall = us(b.atNs) - us(a.atNs);
      const user = us(total(b, "user")) - us(total(a, "user"));
      const sys = us(total(b, "kernel")) - us(total(a, "kernel"));
      expect(reported).toEqual([
        ((user + sys) / wall) * 100,
        (user / wall) * 100,
        (sys / wall) * 100,
      ]);
    };
    const s = r.server!;
    const cl = r.client!;
    check([s.cpuStart, s.cpuEnd], s.startNs, s.endNs, k.dut.host.cpus.length, [
      c.remote_total,
      c.remote_user,
      c.remote_system,
    ]);
    check([cl.cpuStart, cl.cpuEnd], cl.startNs, cl.endNs, k.peer.host.cpus.length, [
      c.host_total,
      c.host_user,
      c.host_system,
    ]);
    // the ideal peer spends nothing, the system under test's kernel some
    expect([c.host_total, c.remote_system > 0]).toEqual([0, true]);
  });
});
