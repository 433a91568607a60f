import { netProbes } from "@smpnet/netinet";
import { describe, expect, it } from "vitest";
import { crrRun, streamRun } from "../bench/experiments.mjs";
// the experiments assemble kernels from the build: their pcb readers are the build's
import { pcbReader } from "../dist/index.js";
import type { ReclamationScheme } from "../src/index.js";
import { tcpRun } from "./tcpfixtures.js";

/*
 * The packet path's plain helpers and lock points against their slow
 * paths: each experiment run with every operation carried out in place
 * where it can be, and with every operation sent through the loop (every
 * plain function then takes its slow path, at every step); the runs must
 * agree to the bit. The stream loses 1 % of its frames so that the timers
 * fire and retransmit; lockstat is on after the warm-up.
 */

function stream(policy: string, reclamation: ReclamationScheme | undefined, inPlace: boolean) {
  const { k, ...r } = streamRun({
    policy,
    reclamation,
    // seed 5: the ACK path meets the writer's socket lock (slowLocks) with so_snd autosizing
    seed: 5,
    warmMs: 10,
    simMs: 40,
    kernel: { wire: { lossRate: 0.01 }, inPlace },
  });
  return { ...r, tcpstat: { ...k.dut.tcpstat }, reader: { ...pcbReader(k.dut)?.stats } };
}

function crr(reclamation: ReclamationScheme, inPlace: boolean) {
  const { k, ...r } = crrRun({
    policy: "split",
    reclamation,
    warmMs: 5,
    simMs: 10,
    kernel: { inPlace },
  });
  return { ...r, reader: { ...pcbReader(k.dut)?.stats } };
}

/**
 * tcp_output's rarer passes as well: the reader sleeps 12 s (the window
 * closes, the persist timer probes), reads in small pieces (window
 * updates from pr_rcvd), 8 % of the frames are lost with SACK on (holes
 * sent from the scoreboard) and the reader writes back (data and ACKs
 * both ways). Every segment tcp_output sends, with its time and CPU.
 */
function tcpOutputs(policy: string, reclamation: ReclamationScheme | undefined, inPlace: boolean) {
  const segments: number[] = [];
  const r = tcpRun({
    policy,
    reclamation,
    writes: [200_000],
    replyWrites: [60_000],
    readAfterMs: 12_000,
    readSize: 8_192,
    limitMs: 20_000,
    tcp: { sack: true },
    wire: { lossRate: 0.08 },
    inPlace,
    before(k) {
      netProbes(k.sim).tcp_output.subscribe((t, cpu, _id, seq, ack, flags, len, cwnd) => {
        segments.push(
          t,
          cpu.host === k.dut.host ? cpu.index : -1 - cpu.index,
          seq,
          ack,
          flags,
          len,
          cwnd,
        );
      });
    },
  });
  return {
    segments,
    bytesRead: r.bytesRead,
    replyBytes: r.replyBytes,
    ranges: r.ranges,
    replyRanges: r.replyRanges,
    peer: { ...r.k.peer.tcpstat },
    dut: { ...r.k.dut.tcpstat },
    endNs: r.k.sim.now,
  };
}

describe("the packet path's plain fast paths", () => {
  it.each([
    ["split", "epoch"],
    ["split", "pserialize"],
    ["solock-v1", "smr"],
    ["giant", undefined],
  ] as const)("give the stream that the loop gives, to the bit: %s %s", (policy, reclamation) => {
    const looped = stream(policy, reclamation, false);
    const inPlace = stream(policy, reclamation, true);
    expect(looped.bytes).toBeGreaterThan(200_000);
    expect(looped.tcpstat.tcps_sndrexmitpack).toBeGreaterThan(0);
    if (policy === "split") expect(looped.reader.slowLocks).toBeGreaterThan(0);
    expect(inPlace).toEqual(looped);
  });

  it.each([
    ["split", "epoch"],
    ["giant", undefined],
  ] as const)(
    "give tcp_output's every segment that the loop gives, to the bit: %s %s",
    (policy, reclamation) => {
      const looped = tcpOutputs(policy, reclamation, false);
      const inPlace = tcpOutputs(policy, reclamation, true);
      expect([looped.bytesRead, looped.replyBytes]).toEqual([200_000, 60_000]);
      // the passes this must cover: probes, SACK retransmissions, window updates, data both ways
      expect(looped.peer.tcps_sndprobe).toBeGreaterThan(0);
      expect(looped.peer.tcps_sack_rexmits).toBeGreaterThan(0);
      expect(looped.dut.tcps_sndwinup).toBeGreaterThan(0);
      expect(looped.dut.tcps_sndpack).toBeGreaterThan(0);
      expect(inPlace).toEqual(looped);
    },
  );

  it.each(["pserialize", "epoch"] as const)(
    "give the TCP_CRR run that the loop gives, to the bit: split %s",
    (reclamation) => {
      const looped = crr(reclamation, false);
      const inPlace = crr(reclamation, true);
      expect(looped.transactionsPerSecond).toBeGreaterThan(1_000);
      expect(inPlace).toEqual(looped);
    },
  );
});
