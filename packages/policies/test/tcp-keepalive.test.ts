import {
  EINVAL,
  ETIMEDOUT,
  IPPROTO_TCP,
  type Link,
  type NetKernel,
  netProbes,
  SO_ERROR,
  SO_KEEPALIVE,
  SOL_SOCKET,
  type sockoptval,
  sys_getsockopt,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINIT,
  TCP_KEEPINTVL,
  TCP_MAXSEG,
  TCP_NOOPT,
  TCPT_KEEP,
  type TcpFault,
  TF_REQ_TSTMP,
  TF_SACK_PERMIT,
  TH_SYN,
  tcpstates,
} from "@smpnet/netinet";
import { NS_PER_MS, NS_PER_SEC } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { tcpRun } from "./tcpfixtures.js";

/** From `fromNs` on, `link` loses every frame (the far host is gone). */
function cut(k: NetKernel, link: Link, fromNs: number): void {
  const sink = link.sink;
  (link as { sink: typeof sink }).sink = {
    frameArrived(f) {
      if (k.sim.now >= fromNs) link.release(f);
      else sink.frameArrived(f);
    },
  };
}

/** An idle connection with keepalive every 2 s after 10 s, 3 probes, closed at 35 s (between two probes); the peer's side cut at `cutNs`. */
function keepRun(cutNs: number, fault?: TcpFault) {
  const errors: number[] = [];
  const r = tcpRun({
    writes: [],
    closeAfterMs: 35_000,
    limitMs: 45_000,
    ...(fault === undefined ? {} : { peerTcp: { fault } }),
    clientOpts: [
      [SOL_SOCKET, SO_KEEPALIVE, 1],
      [IPPROTO_TCP, TCP_KEEPIDLE, 10],
      [IPPROTO_TCP, TCP_KEEPINTVL, 2],
      [IPPROTO_TCP, TCP_KEEPCNT, 3],
    ],
    before: (k) => {
      cut(k, k.toDut, cutNs);
      cut(k, k.toPeer, cutNs);
    },
    *clientAfter(so) {
      // SO_ERROR: the pending error, then nothing (it was cleared)
      for (let i = 0; i < 2; i++) {
        const out: { value: sockoptval } = { value: -1 };
        expect(yield* sys_getsockopt(so, SOL_SOCKET, SO_ERROR, out)).toBe(0);
        errors.push(out.value as number);
      }
    },
  });
  // every state change the probe reported, in order (tcp_drop's CLOSED only once)
  const peerStates = [...r.states.entries()].find(([key]) => key.startsWith("peer"))![1];
  return { r, errors, peerStates };
}

describe("keepalive (SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT), TCP_KEEPINIT, SO_ERROR", () => {
  it("an idle connection to a live peer is probed once per idle period and stays up", () => {
    const { r, errors, peerStates } = keepRun(Number.POSITIVE_INFINITY);
    const s = r.k.peer.tcpstat;
    // probes at 10, 20 and 30 s, each answered
    expect(s.tcps_keepprobe).toBe(3);
    expect(s.tcps_keepdrops).toBe(0);
    expect(peerStates).toEqual([
      "SYN_SENT",
      "ESTABLISHED",
      "FIN_WAIT_1",
      "FIN_WAIT_2",
      "TIME_WAIT",
    ]);
    expect(errors).toEqual([0, 0]);
  });

  it("when the peer is gone, keepcnt probes go unanswered and the connection is dropped with ETIMEDOUT", () => {
    const { r, errors, peerStates } = keepRun(NS_PER_SEC);
    const s = r.k.peer.tcpstat;
    expect(s.tcps_keepprobe).toBe(3);
    expect(s.tcps_keepdrops).toBe(1);
    expect(peerStates).toEqual(["SYN_SENT", "ESTABLISHED", "CLOSED"]);
    expect(errors).toEqual([ETIMEDOUT, 0]);
  });

  it("a keepalive timer never re-armed after its first probe is caught (the keep-not-rearmed fault)", () => {
    const { r, peerStates } = keepRun(NS_PER_SEC, "keep-not-rearmed");
    expect(r.k.peer.tcpstat.tcps_keepprobe).toBe(1);
    expect(peerStates).not.toContain("CLOSED");
  });

  it("TCP_KEEPINIT drops a connect nobody answers, with ETIMEDOUT, when it runs out", () => {
    let closedNs = -1;
    const r = tcpRun({
      writes: [],
      limitMs: 30_000,
      clientOpts: [[IPPROTO_TCP, TCP_KEEPINIT, 10]],
      before: (k) => {
        cut(k, k.toDut, 0);
        netProbes(k.sim).tcp_state.subscribe((t, host, _so, _from, to) => {
          if (host === k.peer.host && tcpstates[to] === "CLOSED") closedNs = t;
        });
      },
    });
    expect(r.connectError).toBe(ETIMEDOUT);
    expect(r.k.peer.tcpstat.tcps_keepdrops).toBe(1);
    // SYNs at 0, 3 and 9 s went unanswered; the 75 s default would have waited on
    expect(closedNs).toBeGreaterThanOrEqual(10 * NS_PER_SEC);
    expect(closedNs).toBeLessThan(10.1 * NS_PER_SEC);
  });
});

describe("the keepalive timer while segments arrive", () => {
  /** A 20 ms wire, 300 KB one way; the reader's keepalive callout due time and last receive (ns). */
  function keepDue(defaults: "netbsd" | "freebsd") {
    const r = tcpRun({
      writes: [300_000],
      closeAfterMs: 10_000,
      limitMs: 1_500,
      defaults,
      wire: { delayNs: 20 * NS_PER_MS },
    });
    const tp = r.serverTp!;
    const tick = NS_PER_SEC / r.k.dut.hz;
    return {
      due: tp.t_timer[TCPT_KEEP].c_time * tick,
      last: tp.t_rcvtime,
      idle: tp.t_keepidle,
      tick,
    };
  }

  it("NetBSD restarts it on every segment (tcp_input); FreeBSD leaves it armed from the handshake and its handler checks t_rcvtime", () => {
    const n = keepDue("netbsd");
    expect(Math.abs(n.due - (n.last + n.idle))).toBeLessThanOrEqual(n.tick);
    const f = keepDue("freebsd");
    // the transfer took several 40 ms round trips after the handshake armed it
    expect(f.last + f.idle - f.due).toBeGreaterThan(100 * NS_PER_MS);
  });
});

describe("TCP_MAXSEG and TCP_NOOPT", () => {
  it("TCP_MAXSEG caps the segments sent (less the timestamp option); 0 or above the MTU's MSS is EINVAL", () => {
    const sizes: number[] = [];
    const r = tcpRun({
      writes: [50_000],
      limitMs: 200,
      clientOpts: [
        [IPPROTO_TCP, TCP_MAXSEG, 0],
        [IPPROTO_TCP, TCP_MAXSEG, 1_461],
        [IPPROTO_TCP, TCP_MAXSEG, 1_000],
      ],
      before: (k) => {
        const transmit = k.toDut.transmit.bind(k.toDut);
        k.toDut.transmit = (f) => {
          if (f.data_len > 0) sizes.push(f.data_len);
          return transmit(f);
        };
      },
    });
    expect(r.optErrors).toEqual([EINVAL, EINVAL, 0]);
    expect(r.bytesRead).toBe(50_000);
    expect(Math.max(...sizes)).toBe(1_000 - 12);
    expect(r.clientTp!.t_segsz).toBe(988);
  });

  it("TCP_NOOPT: a SYN without options, so the other side assumes 536, and neither timestamps nor SACK are used", () => {
    const syns: number[] = [];
    const sizes: number[] = [];
    const r = tcpRun({
      writes: [20_000],
      limitMs: 200,
      clientOpts: [[IPPROTO_TCP, TCP_NOOPT, 1]],
      before: (k) => {
        const transmit = k.toDut.transmit.bind(k.toDut);
        k.toDut.transmit = (f) => {
          if (f.th_flags & TH_SYN) syns.push(f.th_off);
          if (f.data_len > 0) sizes.push(f.data_len);
          return transmit(f);
        };
      },
    });
    expect(r.bytesRead).toBe(20_000);
    expect(syns).toEqual([20]);
    // the writer still learns the reader's MSS from the SYN-ACK; no timestamps take room
    expect(Math.max(...sizes)).toBe(1_460);
    expect(r.serverTp!.t_segsz).toBe(536);
    for (const tp of [r.clientTp!, r.serverTp!]) {
      expect(tp.t_flags & TF_SACK_PERMIT).toBe(0);
      expect(tp.t_segsz % 1_460 === 0 || tp.t_segsz === 536).toBe(true);
    }
    expect(r.clientTp!.t_flags & TF_REQ_TSTMP).toBe(0);
  });
});
