/*
 * Socket-buffer autosizing, as each kernel does it: a TCP socket's buffers
 * start at net.inet.tcp.sendspace and recvspace and grow while the
 * connection fills them, up to sendbuf_max and recvbuf_max. tcp_attach sets
 * SB_AUTOSIZE on both buffers (both kernels' tcp_usrreq.c); an explicit
 * SO_SNDBUF or SO_RCVBUF clears it (sosetopt), and so does sbreserve
 * refusing a step (the size passed sb_max_adj, uipc_socket2.c). The
 * sendbuf_auto and recvbuf_auto sysctls are read at each step, as the
 * kernels read them.
 *
 * Send side, the same rule in both (NetBSD tcp_output.c, FreeBSD
 * tcp_output.c tcp_sndbuf_autoscale), tried on every tcp_output: one step of
 * sendbuf_inc when the peer's window is at least 4/5 of the buffer, the
 * buffer is 7/8 full, it holds less than sendbuf_max, and the send window
 * covers what is not yet sent. FreeBSD's sendbuf_auto_lowat (default 0) is
 * left out.
 *
 * Receive side, a rule of each kernel's own, taken only by a segment that
 * header prediction would take as in-order data (tcp_input.c's fast path;
 * the model has no fast path of its own but runs the same test).
 * - NetBSD (tcp_input.c): a round is measured with the timestamp echo:
 *   tcp_output stamps rfbuf_ts with the TSval of the first segment carrying
 *   timestamps, and the round ends with the first segment whose TSecr is
 *   later and less than a second later; if more than 7/8 of sb_hiwat came
 *   in it, the buffer grows by recvbuf_inc. NetBSD's timestamp clock is
 *   tcp_now, which tcp_slowtimo advances at PR_SLOWHZ (2 Hz): the model's
 *   TSvals count ms (tcp_subr.ts), so the rule compares them in 500 ms
 *   ticks, and a round lasts until the next tick is echoed, not one RTT.
 *   A segment off the fast path ends the round without a step.
 * - FreeBSD (tcp_input.c tcp_autorcvbuf): a round is half the smoothed RTT
 *   from rfbuf_ts, which every tcp_output stamps (timestamps or not); if
 *   more than 3/8 of sb_hiwat came in it, the buffer grows by half, capped
 *   at recvbuf_max. FreeBSD has no recvbuf_inc any more; a segment off the
 *   fast path leaves the round alone.
 * Neither kernel's syn cache stamps rfbuf_ts with its SYN-ACK; here the
 * SYN-ACK leaves tcp_output, which therefore does not stamp in SYN_RECEIVED.
 *
 * All of it is plain: a few comparisons per segment, no allocation.
 */

import { NS_PER_MS } from "@smpnet/sim";
import type { mbuf } from "./mbuf.js";
import { SB_AUTOSIZE, SS_CANTRCVMORE, type sockbuf } from "./socketvar.js";
import { TCPS_ESTABLISHED, TCPS_SYN_RECEIVED, TH_ACK, TH_FIN, TH_RST, TH_SYN } from "./tcp_fsm.js";
import type { tcpseg } from "./tcp_input_seg.js";
import { SEQ_GT, SEQ_LEQ, seq_sub } from "./tcp_seq.js";
import { tcp_now } from "./tcp_subr.js";
import { TF_NOOPT, type tcpcb } from "./tcp_var.js";
import { sbreserve, sbspace } from "./uipc_socket2.js";

/** NetBSD's slow timeouts per second (protosw.h PR_SLOWHZ 2): the rate of its timestamp clock. */
const PR_SLOWHZ = 2;
/** ms in one of NetBSD's slow ticks. */
const SLOWTICK_MS = 1_000 / PR_SLOWHZ;

/**
 * tcp_sndbuf_autoscale: one step of so_snd when the connection could use
 * more (FreeBSD's name; NetBSD keeps it inline in tcp_output). `sendwin`
 * is min(snd_wnd, snd_cwnd), 1 for a persist probe.
 */
export function tcp_sndbuf_autoscale(tp: tcpcb, sendwin: number): void {
  const so = tp.t_socket;
  const sb = so.so_snd;
  if ((sb.sb_flags & SB_AUTOSIZE) === 0) return;
  const sysctl = so.stack.sysctl;
  if (sysctl["net.inet.tcp.sendbuf_auto"] === 0) return;
  const max = sysctl["net.inet.tcp.sendbuf_max"];
  // unsigned in C: a FIN sent makes it wrap, and the test fail
  const unsent = sb.sb_cc - seq_sub(tp.snd_nxt, tp.snd_una);
  if (
    Math.floor(tp.snd_wnd / 4) * 5 >= sb.sb_hiwat &&
    sb.sb_cc >= Math.floor(sb.sb_hiwat / 8) * 7 &&
    sb.sb_cc < max &&
    unsent >= 0 &&
    sendwin >= unsent
  ) {
    const inc = sysctl["net.inet.tcp.sendbuf_inc"];
    if (!sbreserve(sb, Math.min(sb.sb_hiwat + inc, max))) sb.sb_flags &= ~SB_AUTOSIZE;
  }
}

/**
 * Stamps the start of a receive round on a segment tcp_output sends:
 * NetBSD when it carries timestamps (its TSval), FreeBSD on any segment
 * with options allowed (tcp_ts_getticks).
 */
export function tcp_rfbuf_stamp(tp: tcpcb, tsval: number): void {
  if (tp.rfbuf_ts !== 0 || tp.t_state === TCPS_SYN_RECEIVED) return;
  const so = tp.t_socket;
  if ((so.so_rcv.sb_flags & SB_AUTOSIZE) === 0) return;
  if (so.stack.preset === "netbsd") {
    if (tsval !== 0) tp.rfbuf_ts = tsval;
  } else if ((tp.t_flags & TF_NOOPT) === 0) {
    tp.rfbuf_ts = tcp_now(so.stack);
  }
}

/**
 * At the top of tcp_input for a synchronised connection: header
 * prediction's test, and for in-order data that passes it the receive
 * rule, so_rcv grown before the data goes in (sbreserve; a refusal ends
 * autosizing). NetBSD ends the round for a segment off both fast paths.
 * True when the segment is data the fast path takes.
 */
export function tcp_autosize_input(tp: tcpcb, seg: tcpseg): boolean {
  const so = tp.t_socket;
  const m = seg.m;
  const netbsd = so.stack.preset === "netbsd";
  const predicted =
    tp.t_state === TCPS_ESTABLISHED &&
    (seg.tiflags & (TH_SYN | TH_FIN | TH_RST | TH_ACK)) === TH_ACK &&
    (!m.th_ts || ((m.th_tsval - tp.ts_recent) | 0) >= 0) &&
    seg.seq === tp.rcv_nxt &&
    seg.tiwin !== 0 &&
    seg.tiwin === tp.snd_wnd &&
    tp.snd_nxt === tp.snd_max &&
    (netbsd || tp.segq.length === 0);
  if (predicted && seg.tlen > 0) {
    if (seg.ack === tp.snd_una && tp.segq.length === 0 && seg.tlen <= sbspace(so.so_rcv)) {
      const sb = so.so_rcv;
      const newsize = netbsd
        ? tcp_autorcvbuf_netbsd(tp, sb, m, seg.tlen)
        : tcp_autorcvbuf(tp, sb, seg.tlen);
      if (newsize !== 0 && (so.so_state & SS_CANTRCVMORE) === 0 && !sbreserve(sb, newsize)) {
        sb.sb_flags &= ~SB_AUTOSIZE;
      }
      return true;
    }
  } else if (
    predicted &&
    SEQ_GT(seg.ack, tp.snd_una) &&
    SEQ_LEQ(seg.ack, tp.snd_max) &&
    tp.snd_cwnd >= tp.snd_wnd &&
    tp.t_partialacks < 0
  ) {
    // NetBSD's pure-ACK fast path returns before the reset
    return false;
  }
  if (netbsd) tp.rfbuf_ts = tp.rfbuf_cnt = 0;
  return false;
}

/** NetBSD tcp_input.c: the new size, or 0 (no step). */
function tcp_autorcvbuf_netbsd(tp: tcpcb, sb: sockbuf, m: mbuf, tlen: number): number {
  const sysctl = sb.so.stack.sysctl;
  if (
    sysctl["net.inet.tcp.recvbuf_auto"] === 0 ||
    !m.th_ts ||
    m.th_tsecr === 0 ||
    (sb.sb_flags & SB_AUTOSIZE) === 0
  ) {
    return 0;
  }
  // a round unstamped (0) fails the test on a kernel up for more than a second
  const ecr = tcp_slowticks(m.th_tsecr);
  const began = tcp_slowticks(tp.rfbuf_ts);
  if (tp.rfbuf_ts !== 0 && ecr > began && ecr - began < PR_SLOWHZ) {
    let newsize = 0;
    const max = sysctl["net.inet.tcp.recvbuf_max"];
    if (tp.rfbuf_cnt > Math.floor(sb.sb_hiwat / 8) * 7 && sb.sb_hiwat < max) {
      newsize = Math.min(sb.sb_hiwat + sysctl["net.inet.tcp.recvbuf_inc"], max);
    }
    tp.rfbuf_ts = tp.rfbuf_cnt = 0;
    return newsize;
  }
  tp.rfbuf_cnt += tlen;
  return 0;
}

/** FreeBSD tcp_input.c tcp_autorcvbuf: the new size, or 0 (no step). */
function tcp_autorcvbuf(tp: tcpcb, sb: sockbuf, tlen: number): number {
  const stack = sb.so.stack;
  const sysctl = stack.sysctl;
  if (
    sysctl["net.inet.tcp.recvbuf_auto"] !== 0 &&
    (sb.sb_flags & SB_AUTOSIZE) !== 0 &&
    tp.t_srtt !== 0 &&
    tp.rfbuf_ts !== 0 &&
    // ms since the stamp against half the smoothed RTT in whole ticks (hz = 1000)
    (tcp_now(stack) - tp.rfbuf_ts) >>> 0 > Math.floor(tp.t_srtt / NS_PER_MS) >> 1
  ) {
    let newsize = 0;
    const max = sysctl["net.inet.tcp.recvbuf_max"];
    if (tp.rfbuf_cnt > Math.floor(Math.floor(sb.sb_hiwat / 2) / 4) * 3 && sb.sb_hiwat < max) {
      newsize = Math.min(sb.sb_hiwat + Math.floor(sb.sb_hiwat / 2), max);
    }
    tp.rfbuf_ts = tp.rfbuf_cnt = 0;
    return newsize;
  }
  tp.rfbuf_cnt += tlen;
  return 0;
}

/** NetBSD's tcp_now for one of the model's ms timestamps (both count from the start of the run). */
function tcp_slowticks(ts: number): number {
  return Math.floor(((ts - 1) >>> 0) / SLOWTICK_MS);
}
