import { netProbes, TH_ACK } from "@smpnet/netinet";
import { NS_PER_MS } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { tcpRun } from "./tcpfixtures.js";

/** When the system under test sent each bare ACK (ns), by simulation. */
const ackTimes = new WeakMap<object, number[]>();

function acksOf(r: ReturnType<typeof tcpRun>): number[] {
  return ackTimes.get(r.k.sim)!;
}

function run(writes: number[]) {
  return tcpRun({
    writes,
    // the reader waits and the writer's FIN comes late: neither a window update nor the FIN's ACK stands in
    readAfterMs: 1_000,
    closeAfterMs: 1_000,
    limitMs: 2_000,
    before: (k) => {
      const times: number[] = [];
      ackTimes.set(k.sim, times);
      netProbes(k.sim).tcp_output.subscribe((t, cpu, _id, _seq, _ack, flags, len) => {
        if (cpu.host === k.dut.host && flags === TH_ACK && len === 0) times.push(t);
      });
    },
  });
}

describe("delayed ACKs (RFC 1122 4.2.3.2, NetBSD's TCP_SETUP_ACK)", () => {
  it("a lone segment is acknowledged by the delayed-ACK callout, 200 ms later", () => {
    const r = run([100]);
    expect(r.bytesRead).toBe(100);
    expect(r.k.dut.tcpstat.tcps_delack).toBe(1);
    const acks = acksOf(r);
    // the ACK of the data: one tick-rounded 200 ms after the first ms of the run
    expect(acks[0]).toBeGreaterThan(190 * NS_PER_MS);
    expect(acks[0]).toBeLessThan(215 * NS_PER_MS);
  });

  it("every second full segment is acknowledged at once", () => {
    // 1,448-byte segments: 1,460 less the timestamp option
    const r = run([1_448 * 8]);
    expect(r.bytesRead).toBe(1_448 * 8);
    const acks = acksOf(r).filter((t) => t < 100 * NS_PER_MS);
    // 8 segments: 4 immediate ACKs, and none waited for the callout
    expect(acks.length).toBe(4);
    expect(r.k.dut.tcpstat.tcps_delack).toBe(0);
  });
});
