/*
 * The lab's side: one TCP stream over the link ns-3 simulates, the network
 * alone (`ideal` CPUs on both hosts, as the tcp-bulk benchmark), sent by the
 * system under test to a reader on the peer with 128 KiB writes (iperf3's
 * block, as ns-3's BulkSend). Scripted drops and random loss apply toward
 * the peer only, as ns-3's error model sits on the receiver's device. The
 * congestion window (as min(cwnd, snd_wnd), the window in use) is read
 * from the sender's tcpcb as each segment (an ACK) reaches tcp_input, before it is processed: a sample is the window
 * the ACKs before it left, one ACK late (12 to 25 us at line rate), which
 * skips the one-segment window NetBSD holds only while it retransmits.
 * A recovery episode is the time the tcpcb spends in fast recovery
 * (t_partialacks >= 0), a timeout one retransmit timer's expiry.
 */

import { cnmipsNetCosts, er4, er4Nic } from "@smpnet/hw-octeon";
import {
  ENOBUFS,
  netProbes,
  PEER_ADDR,
  SO_RCVBUF,
  SO_SNDBUF,
  SOCK_STREAM,
  SOL_SOCKET,
  type socket,
  sys_accept,
  sys_bind,
  sys_connect,
  sys_listen,
  sys_recvfrom,
  sys_sendto,
  sys_setsockopt,
  sys_socket,
  type tcpcb,
  uio,
} from "@smpnet/netinet";
import { kernel } from "@smpnet/policies";
import { type KernelGen, NS_PER_SEC, PRI_USER } from "@smpnet/sim";
import { type Episode, LINK, type Run, type Scenario } from "./scenario.js";

const PORT = 5201;
const BLOCK = 131_072;

/**
 * Sets both buffers to ns-3's 4 MiB, or to the largest the lab's sb_max
 * takes (sbreserve's ENOBUFS above it), found by bisection; returns the size.
 */
function* bufsize(so: socket, want: number): KernelGen<number> {
  let ok = 0;
  let bad = want + 1;
  while (bad - ok > 1) {
    const mid = ok === 0 && bad === want + 1 ? want : Math.floor((ok + bad) / 2);
    const e = yield* sys_setsockopt(so, SOL_SOCKET, SO_SNDBUF, mid);
    if (e === 0) ok = mid;
    else if (e === ENOBUFS) bad = mid;
    else throw new Error(`setsockopt(SO_SNDBUF, ${mid}): errno ${e}`);
  }
  if ((yield* sys_setsockopt(so, SOL_SOCKET, SO_RCVBUF, ok)) !== 0) {
    throw new Error(`setsockopt(SO_RCVBUF, ${ok}) failed where SO_SNDBUF took it`);
  }
  return ok;
}

/**
 * Which lab: `tcp-bulk` is the network alone (ideal CPUs, as ns-3);
 * `er4-split` the whole kernel: the ER-4's CPUs, softints and locks under
 * `split` with epoch, sending to the ideal peer (issue 21's speed line).
 */
export type LabSetup = "tcp-bulk" | "er4-split";

/** Runs `s` for `seconds` simulated seconds; the wall time counts the simulation alone. */
export function runLab(s: Scenario, seconds: number, setup: LabSetup = "tcp-bulk"): Run {
  const k = kernel({
    seed: s.seed,
    profile: er4,
    nic: er4Nic,
    netCosts: cnmipsNetCosts,
    softint: { variant: "netbsd" },
    ...(setup === "tcp-bulk"
      ? { policy: "giant", ideal: true }
      : { policy: "split", reclamation: "epoch" as const }),
    // NewReno without SACK, as ns-3 is run (ns3.ts)
    tcp: { sack: false },
    wire: {
      speedMbps: LINK.speedMbps,
      delayNs: LINK.delayUs * 1_000,
      dropData: s.drop,
      lossRate: s.loss,
      impair: "toPeer",
    },
  });
  let bytes = 0;
  let bufBytes = 0;
  let tp: tcpcb | null = null;
  k.peer.host.kthread_create({
    name: "iperf3-s",
    pri: PRI_USER,
    user: true,
    *body() {
      const ls = yield* sys_socket(k.peer, SOCK_STREAM);
      yield* bufsize(ls, LINK.bufBytes);
      yield* sys_bind(ls, 0, PORT);
      yield* sys_listen(ls, 1);
      const so = yield* sys_accept(ls);
      if (typeof so === "number") throw new Error(`accept: errno ${so}`);
      const u = new uio();
      for (;;) {
        u.uio_resid = BLOCK;
        if ((yield* sys_recvfrom(so, u)) !== 0 || u.data_len === 0) return;
        bytes += u.data_len;
      }
    },
  });
  k.dut.host.kthread_create({
    name: "iperf3-c",
    pri: PRI_USER,
    user: true,
    *body() {
      const so = yield* sys_socket(k.dut, SOCK_STREAM);
      bufBytes = yield* bufsize(so, LINK.bufBytes);
      const e = yield* sys_connect(so, PEER_ADDR, PORT);
      if (e !== 0) throw new Error(`connect: errno ${e}`);
      tp = so.so_pcb?.inp_ppcb ?? null;
      const u = new uio();
      for (;;) {
        u.uio_resid = BLOCK;
        if ((yield* sys_sendto(so, u)) !== 0) return;
      }
    },
  });
  const cwnd: [number, number][] = [];
  const episodes: Episode[] = [];
  let open: Episode | null = null;
  let last = -1;
  netProbes(k.sim).tcp_input.subscribe((t, cpu) => {
    if (tp === null || cpu.host !== k.dut.host) return;
    // the window the sender may use, min(cwnd, snd_wnd): the one NetBSD halves on a loss
    // (tcp_reno_do_fast_retransmit), since cwnd alone may grow past the receiver's window
    const w = Math.min(tp.snd_cwnd, tp.snd_wnd);
    if (w !== last) {
      last = w;
      cwnd.push([t / 1e9, last]);
    }
    if (open === null && tp.t_partialacks >= 0) {
      open = { startS: t / 1e9, endS: -1, ssthresh: tp.snd_ssthresh };
      episodes.push(open);
    } else if (open !== null && tp.t_partialacks < 0) {
      open.endS = t / 1e9;
      open = null;
    }
  });
  const t0 = process.hrtime.bigint();
  k.sim.run(seconds * NS_PER_SEC);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    goodputMbps: (bytes * 8) / seconds / 1e6,
    cwnd,
    episodes,
    timeouts: k.dut.tcpstat.tcps_rexmttimeo,
    simSecondsPerWallSecond: seconds / wallS,
    note: bufBytes < LINK.bufBytes ? `buffers ${bufBytes} bytes (the lab's sb_max)` : "",
  };
}
