/*
 * Connection set-up in tcp_input (NetBSD sys/netinet/tcp_input.c): a SYN
 * on a listening socket makes a connection in SYN_RECEIVED at once (no
 * syn cache: sonewconn, as before NetBSD 1.3), SYN_SENT takes the SYN-ACK
 * of an active open (or a SYN: simultaneous open), and what both need: the
 * peer's options (tcp_dooptions), the MSS from its offer, the socket
 * buffers rounded to whole segments, the sequence spaces' start and
 * tcp_established. Generators: set-up is rare beside the segments
 * tcp_input.ts carries as plain functions.
 */

import type { KernelGen } from "@smpnet/sim";
import { in_pcbconnect } from "./in_pcb.js";
import { m_adj, type mbuf } from "./mbuf.js";
import { ECONNREFUSED } from "./socketvar.js";
import type { NetStack } from "./stack.js";
import { TCP_INITIAL_WINDOW } from "./tcp_congctl.js";
import { TCPS_ESTABLISHED, TCPS_SYN_RECEIVED, TH_ACK, TH_FIN, TH_RST, TH_SYN } from "./tcp_fsm.js";
import { DROP, DROPWITHRESET, STEP6, type tcpseg } from "./tcp_input_seg.js";
import { syn_cache_iss } from "./tcp_iss.js";
import { TCPOLEN_TSTAMP_APPA, tcp_output } from "./tcp_output.js";
import { SEQ_GT, SEQ_LEQ, SEQ_LT, seq_add } from "./tcp_seq.js";
import {
  TCP_MAX_WINSHIFT,
  tcp_drop,
  tcp_mss_to_advertise,
  tcp_now,
  tcp_rcvscale,
  tcp_state,
} from "./tcp_subr.js";
import {
  TCP_TIMER_ARM,
  TCP_TIMER_DISARM,
  TCPT_KEEP,
  TCPT_REXMT,
  tcp_xmit_timer,
} from "./tcp_timer.js";
import {
  TF_ACKNOW,
  TF_RCVD_SCALE,
  TF_RCVD_TSTMP,
  TF_REQ_SCALE,
  TF_REQ_TSTMP,
  TF_SACK_PERMIT,
  TF_WILL_SACK,
  type tcpcb,
} from "./tcp_var.js";
import { sbspace, soisconnected, sonewconn } from "./uipc_socket2.js";

/** A segment for a listening socket: a SYN makes a connection in SYN_RECEIVED. */
export function* tcp_input_listen(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
  const f = seg.tiflags;
  // FreeBSD's order: a bare ACK (or FIN-ACK) is answered with a RST; a RST,
  // anything without SYN, a SYN-ACK and (with drop_synfin) a SYN-FIN are dropped
  if ((f & (TH_RST | TH_ACK | TH_SYN)) === TH_ACK) return DROPWITHRESET;
  if (f & TH_RST || (f & TH_SYN) === 0) return DROP;
  if (f & TH_ACK || (f & TH_FIN && stack.sysctl["net.inet.tcp.drop_synfin"] !== 0)) {
    stack.tcpstat.tcps_badsyn++;
    return DROP;
  }
  const so2 = yield* sonewconn(tp.t_socket);
  if (so2 === null) {
    stack.tcpstat.tcps_listendrop++;
    return DROP;
  }
  const inp2 = so2.so_pcb!;
  inp2.inp_laddr = seg.laddr;
  inp2.inp_lport = tp.t_inpcb.inp_lport;
  // cannot fail: the lookup that found the listener found no pcb with this 4-tuple
  yield* in_pcbconnect(inp2, seg.m.ip_src, seg.m.sport);
  const tp2 = inp2.inp_ppcb!;
  tcp_rcvscale(tp2);
  tcp_dooptions(tp2, seg.m);
  tcp_mss_from_peer(tp2, seg.m.th_mss);
  tp2.iss = syn_cache_iss(tp2);
  tcp_sendseqinit(tp2);
  tp2.irs = seg.seq;
  tcp_rcvseqinit(tp2);
  tp2.rcv_wnd = sbspace(so2.so_rcv);
  tp2.snd_wnd = seg.tiwin;
  tp2.max_sndwnd = seg.tiwin;
  tp2.snd_wl1 = seg.seq;
  tp2.snd_wl2 = tp2.iss;
  tp2.t_rcvtime = stack.sim.now;
  tcp_state(tp2, TCPS_SYN_RECEIVED);
  yield* TCP_TIMER_ARM(tp2, TCPT_KEEP, tp2.t_keepinit);
  tp2.t_flags |= TF_ACKNOW;
  stack.tcpstat.tcps_accepts++;
  yield* tcp_output(tp2);
  // both kernels answer from the syn cache (syn_cache_respond, syncache_respond),
  // which times nothing: without timestamps the first RTT sample is a data segment's
  tp2.t_rtttime = -1;
  return DROP;
}

/** SYN_SENT: the SYN-ACK of an active open (or a SYN: simultaneous open). */
export function* tcp_input_synsent(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
  const st = stack.tcpstat;
  const so = tp.t_socket;
  const f = seg.tiflags;
  if (f & TH_ACK && (SEQ_LEQ(seg.ack, tp.iss) || SEQ_GT(seg.ack, tp.snd_max))) {
    return DROPWITHRESET;
  }
  if (
    (f & (TH_SYN | TH_FIN)) === (TH_SYN | TH_FIN) &&
    stack.sysctl["net.inet.tcp.drop_synfin"] !== 0
  ) {
    return DROP;
  }
  if (f & TH_RST) {
    if (f & TH_ACK) yield* tcp_drop(tp, ECONNREFUSED);
    return DROP;
  }
  if ((f & TH_SYN) === 0) return DROP;
  if (f & TH_ACK) {
    tp.snd_una = seg.ack;
    if (SEQ_LT(tp.snd_nxt, tp.snd_una)) tp.snd_nxt = tp.snd_una;
    yield* TCP_TIMER_DISARM(tp, TCPT_REXMT);
  }
  tp.irs = seg.seq;
  tcp_rcvseqinit(tp);
  tp.t_flags |= TF_ACKNOW;
  tcp_dooptions(tp, seg.m);
  tcp_mss_from_peer(tp, seg.m.th_mss);
  tcp_sbround(tp);
  if (f & TH_ACK && SEQ_GT(tp.snd_una, tp.iss)) {
    st.tcps_connects++;
    yield* tcp_established(tp);
    yield* soisconnected(so);
    if (tp.t_rtttime >= 0) tcp_xmit_timer(tp, stack.sim.now - tp.t_rtttime);
  } else {
    // simultaneous open; the peer's SYN carried no ACK, so no window: tcp_output finds
    // snd_nxt past a zero window and sends the SYN-ACK from snd_una = iss (RFC 793 3.4)
    tcp_state(tp, TCPS_SYN_RECEIVED);
  }
  // trimthenstep6: past the SYN; data beyond the window is cut
  seg.seq = seq_add(seg.seq, 1);
  if (seg.tlen > tp.rcv_wnd) {
    const todrop = seg.tlen - tp.rcv_wnd;
    m_adj(seg.m, -todrop);
    seg.tlen = tp.rcv_wnd;
    seg.tiflags &= ~TH_FIN;
    st.tcps_rcvpackafterwin++;
    st.tcps_rcvbyteafterwin += todrop;
  }
  seg.m.th_seq = seg.seq;
  tp.snd_wl1 = seq_add(seg.seq, -1);
  return STEP6;
}

/**
 * Sets the MSS from the peer's option (536 without one), never above what
 * our MTU allows, less the timestamp option every segment will carry.
 */
function tcp_mss_from_peer(tp: tcpcb, offer: number): void {
  const stack = tp.t_socket.stack;
  tp.t_peermss = offer > 0 ? offer : stack.sysctl["net.inet.tcp.mssdflt"];
  tp.t_segsz = Math.min(tp.t_peermss, tcp_mss_to_advertise(stack));
  if (tp.t_maxseg_opt > 0) tp.t_segsz = Math.min(tp.t_segsz, tp.t_maxseg_opt);
  const ts = TF_REQ_TSTMP | TF_RCVD_TSTMP;
  if ((tp.t_flags & ts) === ts) tp.t_segsz -= TCPOLEN_TSTAMP_APPA;
}

/**
 * Both socket buffers grow to whole segments, never past sb_max (NetBSD
 * tcp_mss_from_peer and tcp_established, FreeBSD tcp_mss): a 65,536-byte
 * buffer of 1460-byte segments holds 65,700. An active open does it on the
 * peer's SYN; a passive one when the handshake completes (the syn cache's
 * SYN-ACK offers the listener's buffer).
 */
export function tcp_sbround(tp: tcpcb): void {
  const so = tp.t_socket;
  const sb_max = so.stack.sysctl["kern.ipc.maxsockbuf"];
  for (const sb of [so.so_snd, so.so_rcv]) {
    if (sb.sb_hiwat >= tp.t_segsz) {
      sb.sb_hiwat = Math.max(
        sb.sb_hiwat,
        Math.min(sb_max, Math.ceil(sb.sb_hiwat / tp.t_segsz) * tp.t_segsz),
      );
    }
  }
}

/**
 * tcp_dooptions for a SYN: the peer's window scale and timestamp. With
 * both sides asking for scaling the shifts take effect; the peer's TSval
 * becomes ts_recent.
 */
function tcp_dooptions(tp: tcpcb, m: mbuf): void {
  if (m.th_wscale >= 0) {
    tp.t_flags |= TF_RCVD_SCALE;
    tp.requested_s_scale = Math.min(m.th_wscale, TCP_MAX_WINSHIFT);
  }
  // SACK only if both offered it
  if (m.th_sackperm && tp.t_flags & TF_WILL_SACK) tp.t_flags |= TF_SACK_PERMIT;
  if (m.th_ts) {
    tp.t_flags |= TF_RCVD_TSTMP;
    tp.ts_recent = m.th_tsval;
    tp.ts_recent_age = tcp_now(tp.t_socket.stack);
  }
  const both = TF_REQ_SCALE | TF_RCVD_SCALE;
  if ((tp.t_flags & both) === both) {
    tp.snd_scale = tp.requested_s_scale;
    tp.rcv_scale = tp.request_r_scale;
  }
}

/** tcp_sendseqinit: the send sequence space starts at iss. */
export function tcp_sendseqinit(tp: tcpcb): void {
  tp.snd_una = tp.snd_nxt = tp.snd_max = tp.iss;
  tp.snd_recover = tp.snd_high = tp.iss;
}

/** tcp_rcvseqinit: the receive sequence space starts past the peer's SYN. */
function tcp_rcvseqinit(tp: tcpcb): void {
  tp.rcv_nxt = tp.rcv_adv = tp.last_ack_sent = seq_add(tp.irs, 1);
}

/** tcp_established: the state, the initial congestion window for the MSS now known, the keepalive timer. */
export function* tcp_established(tp: tcpcb): KernelGen {
  tcp_state(tp, TCPS_ESTABLISHED);
  const n = tp.t_socket.stack.sysctl["net.inet.tcp.initcwnd_segments"];
  tp.snd_cwnd = TCP_INITIAL_WINDOW(n, tp.t_segsz, tp.t_socket.stack.preset);
  tp.snd_fack = tp.snd_una;
  yield* TCP_TIMER_ARM(tp, TCPT_KEEP, tp.t_keepidle);
}
