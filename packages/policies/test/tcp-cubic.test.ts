import {
  CUBIC_ALPHA,
  CUBIC_BETA,
  CUBIC_C,
  ENOENT,
  IPPROTO_TCP,
  netProbes,
  SO_RCVBUF,
  SO_SNDBUF,
  SOL_SOCKET,
  TCP_CONGESTION,
} from "@smpnet/netinet";
import { NS_PER_SEC } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { dropData, tcpRun } from "./tcpfixtures.js";

/** A bulk stream over a `rttMs` round trip with room for the window to grow, one segment lost. */
function cubicRun(cc: string, loseNth: number, rttMs = 200) {
  const samples: [t: number, cwnd: number][] = [];
  let n = 0;
  const r = tcpRun({
    writes: Array<number>(300).fill(16_384),
    wire: { delayNs: (rttMs / 2) * 1_000_000 },
    limitMs: 20_000,
    clientOpts: [
      [IPPROTO_TCP, TCP_CONGESTION, cc],
      [SOL_SOCKET, SO_SNDBUF, 200_000],
    ],
    serverOpts: [[SOL_SOCKET, SO_RCVBUF, 200_000]],
    before: (k) => {
      netProbes(k.sim).tcp_output.subscribe((t, cpu, _id, _seq, _ack, _flags, len, cwnd) => {
        if (cpu.host === k.peer.host && len > 0) samples.push([t, cwnd]);
      });
      dropData(k, () => ++n === loseNth);
    },
  });
  return { r, samples };
}

describe("CUBIC (RFC 9438) as a TCP_CONGESTION module", () => {
  /**
   * Holds the window after the loss to max(W_cubic(t), W_est(t)) within 3% (the target looks
   * one RTT ahead and the window reaches it within one), and counts the samples in each region.
   */
  function followsRfc9438(rttMs: number) {
    const { r, samples } = cubicRun("cubic", 60, rttMs);
    const tp = r.clientTp!;
    expect(tp.t_congctl.name).toBe("cubic");
    expect(r.k.peer.tcpstat.tcps_fastretrans).toBe(1);
    const seg = tp.t_segsz;
    const wmax = tp.snd_cubic_wmax;
    const epoch = tp.snd_cubic_ctime;
    const K = tp.snd_cubic_k / NS_PER_SEC;
    // the cut: ssthresh beta of the window at the loss, and K from it (RFC 9438 eq. 2)
    expect(tp.snd_ssthresh).toBe(Math.floor(wmax * CUBIC_BETA));
    expect(K).toBeCloseTo(Math.cbrt((wmax - tp.snd_ssthresh) / seg / CUBIC_C), 1);
    expect(K).toBeGreaterThan(2);
    const cubic = (t: number) => CUBIC_C * (t - K) ** 3 * seg + wmax;
    // the Reno-friendly estimate: alpha segments more per round trip from the cut (RFC 9438 4.3)
    const rtt = tp.t_srtt / NS_PER_SEC;
    const reno = (t: number) => tp.snd_ssthresh + (CUBIC_ALPHA * seg * t) / rtt;
    const seen = { concave: 0, convex: 0, friendly: 0 };
    for (const [t, cwnd] of samples) {
      const s = (t - epoch) / NS_PER_SEC;
      if (s < 0.5 || s > 2 * K) continue;
      const w = Math.max(cubic(s), reno(s));
      expect(Math.abs(cwnd - w) / w).toBeLessThan(0.03);
      if (reno(s) > cubic(s)) seen.friendly++;
      else if (s < K) seen.concave++;
      else seen.convex++;
    }
    return seen;
  }

  it("after a loss the window is cut to beta W_max, then follows W_cubic(t) = C (t - K)^3 + W_max: concave, then convex", () => {
    const seen = followsRfc9438(200);
    expect(seen.concave).toBeGreaterThan(100);
    expect(seen.convex).toBeGreaterThan(100);
  });

  it("on a shorter round trip Reno's line overtakes the curve near W_max and the window follows it (TCP-friendly region)", () => {
    const seen = followsRfc9438(100);
    expect(seen.concave).toBeGreaterThan(100);
    expect(seen.friendly).toBeGreaterThan(100);
  });

  it("NewReno on the same path grows by one segment per round trip instead", () => {
    const { r, samples } = cubicRun("newreno", 60);
    const tp = r.clientTp!;
    expect(tp.t_congctl.name).toBe("newreno");
    const seg = tp.t_segsz;
    // after recovery: a second later the window has grown by about ten segments (one per 100 ms)
    // the fast retransmit: the window falls to one segment
    const cut = samples.findIndex(([, c], i) => i > 0 && c < samples[i - 1]![1]);
    expect(cut).toBeGreaterThan(0);
    // back at ssthresh (recovery, then slow start: NetBSD's full ACK allows no burst), two
    // seconds add one segment per round trip: ten
    const back = samples.findIndex(([, c], i) => i > cut && c >= tp.snd_ssthresh);
    const t0 = samples[back]![0];
    const at = (t: number) => samples.find(([ts]) => ts >= t)![1];
    const grown = (at(t0 + 2 * NS_PER_SEC) - at(t0)) / seg;
    expect(grown).toBeGreaterThanOrEqual(9);
    expect(grown).toBeLessThanOrEqual(11);
  });

  it("each preset's module by default (netbsd newreno, freebsd cubic); tcp.congctl chooses another", () => {
    const cc = (o: Pick<Parameters<typeof tcpRun>[0], "defaults" | "tcp">) => {
      const r = tcpRun({ writes: [1_000], limitMs: 100, ...o });
      return [r.clientTp!.t_congctl.name, r.serverTp!.t_congctl.name];
    };
    expect(cc({})).toEqual(["newreno", "newreno"]);
    expect(cc({ defaults: "freebsd" })).toEqual(["cubic", "cubic"]);
    expect(cc({ defaults: "freebsd", tcp: { congctl: "newreno" } })).toEqual([
      "newreno",
      "newreno",
    ]);
  });

  it("an unknown module is ENOENT, and a name is needed", () => {
    const r = tcpRun({
      writes: [],
      limitMs: 20,
      clientOpts: [
        [IPPROTO_TCP, TCP_CONGESTION, "vegas"],
        [IPPROTO_TCP, TCP_CONGESTION, 1],
      ],
    });
    expect(r.optErrors).toEqual([ENOENT, 22]);
  });
});
