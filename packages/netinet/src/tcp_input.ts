/*
 * TCP input, after NetBSD sys/netinet/tcp_input.c: the header checks, the
 * pcb lookup (in the policy's pcb_lookup point, the socket's so_input point
 * held from the pcb found to the end, as udp_input), then RFC 793's segment
 * processing: a SYN on a listening socket makes a new connection in
 * SYN_RECEIVED (no syn cache: sonewconn at once, as before NetBSD 1.3);
 * SYN_SENT takes the SYN-ACK; every other state trims the segment to the
 * receive window, checks RST (RFC 5961 3.2: exact match resets, in-window
 * gets a challenge ACK) and SYN (RFC 5961 4.2: a challenge ACK), processes
 * the ACK (RTT sample, duplicate ACKs and NewReno through tcp_congctl.ts,
 * limited transmit on the first two duplicates when net.inet.tcp.rfc3042
 * is on, tcp_rfc3042.ts,
 * the send buffer dropped, the FIN states advanced), the window update,
 * the data (in order straight into so_rcv with a delayed ACK, out of order
 * into the reassembly queue with an immediate ACK) and the FIN.
 *
 * RFC 7323 (tcp_dooptions and its callers): a SYN's window-scale and
 * timestamp options set TF_RCVD_SCALE and TF_RCVD_TSTMP; with both sides
 * asking, the shifts apply to every later window (never a SYN's) and the
 * MSS shrinks by the timestamp option. On a synchronised connection PAWS
 * drops a segment whose TSval is older than ts_recent (unless ts_recent is
 * 24 days old); ts_recent takes the TSval of a segment whose range, its
 * end included, covers last_ack_sent (NetBSD's test after Stevens vol. 2
 * p. 869, so a bare ACK at rcv_nxt updates it too, as RFC 7323 4.3);
 * an ACK of new data with a sane TSecr gives the RTT sample
 * (tcp_xmit_timer), else the timed segment does.
 *
 * SACK (tcp_sack.ts): a SYN's SACK-permitted sets TF_SACK_PERMIT when we
 * offer it too; every ACK's blocks go into the scoreboard, an ACK of new
 * data trims it; fast retransmit also starts when SACKed data runs three
 * segments past snd_una (TCP_FACK_FASTRECOV). The congestion control hooks
 * are the connection's module (t_congctl). The keepalive timer is armed
 * with keepinit on a passive open and with keepidle once established.
 *
 * Before the state's processing, header prediction's test decides whether
 * the segment may grow so_rcv (tcp_autosize.ts); in-order data it admits
 * calls tcp_output only for an ACK due, as the fast path does.
 *
 * TIME_WAIT is FreeBSD's tcp_twcheck, but for a SYN or a RST under the
 * netbsd preset, which take NetBSD's paths (tcp_twsyn_netbsd; a RST closes
 * the connection as in any synchronised state). Left out: header
 * prediction as a path of its own (its test is kept, above), urgent data,
 * D-SACK, and the syn cache.
 */

import {
  after,
  curcpu,
  done,
  type KernelGen,
  type KernelOp,
  NS_PER_MS,
  paid,
  paidValue,
  work,
} from "@smpnet/sim";
import { TCP_HDR_LEN } from "./constants.js";
import { stat_drop } from "./drop.js";
import { in_cksum } from "./in_cksum.js";
import { in_pcbconnect, in_pcblookup, type inpcb } from "./in_pcb.js";
import { m_adj, m_freem, type mbuf } from "./mbuf.js";
import { ECONNREFUSED, ECONNRESET, SS_CANTRCVMORE, SS_NOFDREF, type socket } from "./socketvar.js";
import type { NetStack } from "./stack.js";
import { tcp_autosize_input } from "./tcp_autosize.js";
import { TCP_INITIAL_WINDOW, tcprexmtthresh } from "./tcp_congctl.js";
import {
  TCPS_CLOSE_WAIT,
  TCPS_CLOSED,
  TCPS_CLOSING,
  TCPS_ESTABLISHED,
  TCPS_FIN_WAIT_1,
  TCPS_FIN_WAIT_2,
  TCPS_HAVEESTABLISHED,
  TCPS_HAVERCVDFIN,
  TCPS_LAST_ACK,
  TCPS_LISTEN,
  TCPS_SYN_RECEIVED,
  TCPS_SYN_SENT,
  TCPS_TIME_WAIT,
  TH_ACK,
  TH_FIN,
  TH_PUSH,
  TH_RST,
  TH_SYN,
} from "./tcp_fsm.js";
import { syn_cache_iss } from "./tcp_iss.js";
import { TCPOLEN_TSTAMP_APPA, tcp_output } from "./tcp_output.js";
import { tcp_deliver, tcp_reass } from "./tcp_reass.js";
import { tcp_limited_transmit } from "./tcp_rfc3042.js";
import { TCP_FACK_FASTRECOV, tcp_del_sackholes, tcp_sack_option } from "./tcp_sack.js";
import { SEQ_GEQ, SEQ_GT, SEQ_LEQ, SEQ_LT, seq_add, seq_sub } from "./tcp_seq.js";
import {
  TCP_MAX_WINSHIFT,
  tcp_close,
  tcp_drop,
  tcp_mss_to_advertise,
  tcp_now,
  tcp_rcvscale,
  tcp_respond,
  tcp_state,
} from "./tcp_subr.js";
import {
  TCP_REXMTVAL,
  TCP_SET_DELACK,
  TCP_TIMER_ARM,
  TCP_TIMER_DISARM,
  TCP_TIMER_ISARMED,
  TCPT_2MSL,
  TCPT_KEEP,
  TCPT_PERSIST,
  TCPT_RANGESET,
  TCPT_REXMT,
  TCPTV_REXMTMAX,
  tcp_finwait2_timer,
  tcp_msl,
  tcp_rexmit_min,
  tcp_rexmit_slop,
} from "./tcp_timer.js";
import {
  TF_ACKNOW,
  TF_DELACK,
  TF_RCVD_SCALE,
  TF_RCVD_TSTMP,
  TF_REQ_SCALE,
  TF_REQ_TSTMP,
  TF_SACK_PERMIT,
  TF_WILL_SACK,
  type tcpcb,
  type tcpstat,
} from "./tcp_var.js";
import {
  sbdrop,
  sbspace,
  socantrcvmore,
  soisconnected,
  soisdisconnected,
  sonewconn,
  sowwakeup,
} from "./uipc_socket2.js";

/** What is left to do with a segment when its processing stops. */
const DONE = 0; // consumed
const DROP = 1; // free it
const DROPAFTERACK = 2; // free it and send an ACK (unless it is a RST)
const DROPWITHRESET = 3; // free it and answer with a RST
const STEP6 = 4; // go on to the window update, data and FIN
const FINDPCB = 5; // look the segment up again (its connection is gone)

/** ts_recent older than this is not trusted for PAWS (TCP_PAWS_IDLE, 24 days), in ms of tcp_now. */
const TCP_PAWS_IDLE = 24 * 24 * 60 * 60 * 1_000;

/** TSTMP_LT: timestamps compared modulo 2^32. */
function TSTMP_LT(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** The segment being processed: tcp_input's locals. */
export interface tcpseg {
  m: mbuf;
  seq: number;
  ack: number;
  tiwin: number;
  tiflags: number;
  tlen: number;
  needoutput: boolean;
  /** Header prediction would take it as in-order data (tcp_autosize.ts): tcp_output only for an ACK due. */
  predicted: boolean;
  /** The 4-tuple, read before the headers are trimmed. */
  faddr: number;
  fport: number;
  laddr: number;
  lport: number;
}

function tcp_drop_count(stack: NetStack, m: mbuf, counter: keyof tcpstat): KernelGen {
  return stat_drop(stack, m, stack.tcpstat, counter);
}

/*
 * The path of an ordinary segment (an ACK of new data, in-order data, on
 * an established connection) is plain functions, each the rest after one
 * operation that may not be carried out in place (ops.ts `after`): on
 * every segment and ACK it costs no generator unless something blocks.
 * What is rare (connection set-up and teardown, RSTs, duplicate ACKs,
 * out-of-order data, the FIN) stays generators, handed to the caller's
 * `yield*` as they are.
 */

/** tcp_input: `m` starts with its IP header of `off` bytes. */
export function tcp_input(stack: NetStack, m: mbuf, off: number): KernelOp<void> {
  stack.tcpstat.tcps_rcvtotal++;
  const o = work(stack.costs.tcpInputCycles);
  return paid(o) ? tcp_input_checked(stack, m, off) : after(o, tcp_input_checked, stack, m, off);
}

function tcp_input_checked(stack: NetStack, m: mbuf, off: number): KernelOp<void> {
  if (m.len < off + TCP_HDR_LEN) return tcp_drop_count(stack, m, "tcps_rcvshort");
  if (m.th_off < TCP_HDR_LEN || off + m.th_off > m.len) {
    return tcp_drop_count(stack, m, "tcps_rcvbadoff");
  }
  if (!m.csumVerified) {
    const o = in_cksum(stack, m.len - off);
    if (!paid(o)) return after(o, tcp_input_summed, stack, m, off);
  }
  return tcp_input_summed(stack, m, off);
}

function tcp_input_summed(stack: NetStack, m: mbuf, off: number): KernelOp<void> {
  if (m.corrupt) return tcp_drop_count(stack, m, "tcps_rcvbadsum");
  const seg: tcpseg = {
    m,
    seq: m.th_seq,
    ack: m.th_ack,
    tiwin: m.th_win,
    tiflags: m.th_flags,
    tlen: m.len - off - m.th_off,
    needoutput: false,
    predicted: false,
    faddr: m.ip_src,
    fport: m.sport,
    laddr: m.ip_dst,
    lport: m.dport,
  };
  // the headers are done with: m holds the payload from here on
  m_adj(m, off + m.th_off);
  m.th_seq = seg.seq;
  return tcp_findpcb(stack, seg, false);
}

/** findpcb: `again` when a SYN has ended a TIME_WAIT connection, to find the listener. */
function tcp_findpcb(stack: NetStack, seg: tcpseg, again: boolean): KernelOp<void> {
  const o = stack.locks.pcb_lookup.enter(stack.tcbtable);
  return paid(o)
    ? tcp_findpcb_lookup(stack, seg, again)
    : after(o, tcp_findpcb_lookup, stack, seg, again);
}

function tcp_findpcb_lookup(stack: NetStack, seg: tcpseg, again: boolean): KernelOp<void> {
  const o = in_pcblookup(stack.tcbtable, seg.faddr, seg.fport, seg.laddr, seg.lport);
  return paid(o)
    ? tcp_findpcb_found(stack, seg, again, paidValue() as inpcb | null)
    : after(o, tcp_findpcb_found, stack, seg, again);
}

function tcp_findpcb_found(
  stack: NetStack,
  seg: tcpseg,
  again: boolean,
  inp: inpcb | null,
): KernelOp<void> {
  const so = inp?.inp_socket ?? null;
  if (so !== null) {
    const o = stack.locks.so_input.enter(so);
    if (!paid(o)) return after(o, tcp_findpcb_held, stack, seg, again, inp);
  }
  return tcp_findpcb_held(stack, seg, again, inp);
}

function tcp_findpcb_held(
  stack: NetStack,
  seg: tcpseg,
  again: boolean,
  inp: inpcb | null,
): KernelOp<void> {
  const o = stack.locks.pcb_lookup.exit(stack.tcbtable);
  return paid(o)
    ? tcp_input_pcb(stack, seg, again, inp)
    : after(o, tcp_input_pcb, stack, seg, again, inp);
}

/** The segment with its pcb found (or none), the socket's so_input point held. */
function tcp_input_pcb(
  stack: NetStack,
  seg: tcpseg,
  again: boolean,
  inp: inpcb | null,
): KernelOp<void> {
  const so = inp?.inp_socket ?? null;
  const tp = inp?.inp_ppcb ?? null;
  const p = stack.probes.tcp_input;
  // one probe per segment, the first lookup's
  if (p.on && !again) {
    p.emit(
      curcpu(),
      seg.m.id,
      seg.seq,
      seg.ack,
      seg.tiflags,
      seg.tlen,
      tp?.snd_cwnd ?? 0,
      tp?.t_srtt ?? 0,
    );
  }
  if (so === null) stack.tcpstat.tcps_noport++;
  else if (tp !== null && !tp.dead) {
    const o = tcp_input_locked(stack, tp, seg);
    return paid(o)
      ? tcp_input_done(stack, seg, so, tp, paidValue() as number)
      : after(o, tcp_input_done, stack, seg, so, tp);
  }
  return tcp_input_done(stack, seg, so, tp, DROPWITHRESET);
}

/** What tcp_input_locked left to do, then so_input's exit; or the lookup again. */
function tcp_input_done(
  stack: NetStack,
  seg: tcpseg,
  so: socket | null,
  tp: tcpcb | null,
  what: number,
): KernelOp<void> {
  if (what === FINDPCB) {
    const o = stack.locks.so_input.exit(so!);
    return paid(o) ? tcp_findpcb(stack, seg, true) : after(o, tcp_findpcb, stack, seg, true);
  }
  const o = tcp_input_finish(stack, so, tp, seg, what);
  return paid(o) ? tcp_input_unlock(stack, so) : after(o, tcp_input_unlock, stack, so);
}

function tcp_input_unlock(stack: NetStack, so: socket | null): KernelOp<void> {
  return so === null ? done(undefined) : stack.locks.so_input.exit(so);
}

/** The labels at the end of tcp_input: drop, dropafterack, dropwithreset. */
function tcp_input_finish(
  stack: NetStack,
  so: socket | null,
  tp: tcpcb | null,
  seg: tcpseg,
  what: number,
): KernelOp<void> {
  if (what === DONE) return done(undefined);
  if (what === DROP) return tcp_input_drop(stack, seg.m);
  return tcp_input_respond(stack, so, tp, seg, what);
}

function* tcp_input_respond(
  stack: NetStack,
  so: socket | null,
  tp: tcpcb | null,
  seg: tcpseg,
  what: number,
): KernelGen {
  if (what === DROPAFTERACK && (seg.tiflags & TH_RST) === 0 && tp !== null && !tp.dead) {
    tp.t_flags |= TF_ACKNOW;
    yield* tcp_output(tp);
  }
  if (what === DROPWITHRESET && (seg.tiflags & TH_RST) === 0) {
    // RFC 793: a RST from the ACK's sequence, or acknowledging the whole segment
    if (seg.tiflags & TH_ACK) {
      yield* tcp_respond(stack, so, seg.faddr, seg.fport, seg.lport, 0, seg.ack, TH_RST);
    } else {
      let end = seq_add(seg.seq, seg.tlen);
      if (seg.tiflags & TH_SYN) end = seq_add(end, 1);
      if (seg.tiflags & TH_FIN) end = seq_add(end, 1);
      yield* tcp_respond(stack, so, seg.faddr, seg.fport, seg.lport, end, 0, TH_RST | TH_ACK);
    }
  }
  yield* tcp_input_drop(stack, seg.m);
}

function tcp_input_drop(stack: NetStack, m: mbuf): KernelOp<void> {
  const p = stack.probes.drop;
  if (p.on) p.emit(stack.host, m.id, "tcp_input");
  return m_freem(stack.mbufs, m);
}

function tcp_input_locked(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelOp<number> {
  tp.t_rcvtime = stack.sim.now;
  // NetBSD restarts the keepalive timer on every segment; FreeBSD's handler
  // compares t_rcvtime instead (tcp_timer_keep), sparing the callout
  if (stack.preset === "netbsd" && TCPS_HAVEESTABLISHED(tp.t_state)) {
    const o = TCP_TIMER_ARM(tp, TCPT_KEEP, tp.t_keepidle);
    if (!paid(o)) return after(o, tcp_input_state, stack, tp, seg);
  }
  return tcp_input_state(stack, tp, seg);
}

function tcp_input_state(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelOp<number> {
  const so = tp.t_socket;
  // the peer's window, in its scale (a SYN's is never scaled)
  if ((seg.tiflags & TH_SYN) === 0) seg.tiwin = seg.m.th_win * 2 ** tp.snd_scale;
  // the receive window: what the buffer takes, never less than was offered
  tp.rcv_wnd = Math.max(sbspace(so.so_rcv), seq_sub(tp.rcv_adv, tp.rcv_nxt), 0);
  // a bound socket that is neither listening nor connected answers with a RST
  if (tp.t_state === TCPS_CLOSED) return done(DROPWITHRESET);
  if (tp.t_state === TCPS_LISTEN) return tcp_input_listen(stack, tp, seg);
  if (tp.t_state === TCPS_TIME_WAIT) return tcp_twcheck(stack, tp, seg);
  seg.predicted = tcp_autosize_input(tp, seg);
  const o =
    tp.t_state === TCPS_SYN_SENT
      ? tcp_input_synsent(stack, tp, seg)
      : tcp_input_ack(stack, tp, seg);
  return paid(o)
    ? tcp_input_step6_if(stack, tp, seg, paidValue() as number)
    : after(o, tcp_input_step6_if, stack, tp, seg);
}

function tcp_input_step6_if(
  stack: NetStack,
  tp: tcpcb,
  seg: tcpseg,
  what: number,
): KernelOp<number> {
  return what === STEP6 ? tcp_input_step6(stack, tp, seg) : done(what);
}

/** A segment for a listening socket: a SYN makes a connection in SYN_RECEIVED. */
function* tcp_input_listen(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
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
function* tcp_input_synsent(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
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

/** Every synchronised state: trim to the window, RST, SYN, then the ACK. */
function tcp_input_ack(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelOp<number> {
  const st = stack.tcpstat;
  const so = tp.t_socket;
  const m = seg.m;
  if (seg.tiflags & TH_RST) return tcp_input_rst(stack, tp, seg);
  if (seg.tiflags & TH_SYN && tp.t_state !== TCPS_SYN_RECEIVED)
    return tcp_input_badsyn(stack, tp, seg);
  // PAWS (RFC 7323 5): an older timestamp than the last one taken is a stale duplicate
  if (m.th_ts && tp.ts_recent !== 0) {
    if (TSTMP_LT(m.th_tsval, tp.ts_recent)) {
      if (((tcp_now(stack) - tp.ts_recent_age) | 0) > TCP_PAWS_IDLE) {
        // ts_recent is too old to judge by
        tp.ts_recent = 0;
      } else {
        st.tcps_rcvduppack++;
        st.tcps_rcvdupbyte += seg.tlen;
        st.tcps_pawsdrop++;
        return done(DROPAFTERACK);
      }
    }
  }
  // duplicates at the front: trim them (a SYN among them is dropped first)
  let todrop = seq_sub(tp.rcv_nxt, seg.seq);
  if (todrop > 0) {
    if (seg.tiflags & TH_SYN) {
      seg.tiflags &= ~TH_SYN;
      seg.seq = seq_add(seg.seq, 1);
      todrop--;
    }
    if (todrop > seg.tlen || (todrop === seg.tlen && (seg.tiflags & TH_FIN) === 0)) {
      // wholly duplicate: ACK it (the peer may have missed our ACK)
      seg.tiflags &= ~TH_FIN;
      tp.t_flags |= TF_ACKNOW;
      st.tcps_rcvduppack++;
      st.tcps_rcvdupbyte += seg.tlen;
      todrop = seg.tlen;
    } else {
      st.tcps_rcvpartduppack++;
      st.tcps_rcvpartdupbyte += todrop;
    }
    m_adj(seg.m, todrop);
    seg.seq = seq_add(seg.seq, todrop);
    seg.tlen -= todrop;
  }
  // data for a socket the user has closed: nobody will read it
  if (so.so_state & SS_NOFDREF && tp.t_state > TCPS_CLOSE_WAIT && seg.tlen > 0) {
    return tcp_input_afterclose(stack, tp);
  }
  // beyond the window: trim; wholly beyond is dropped with an ACK, except a window probe
  const rcvwnd = stack.tcp_fault === "rcvwnd-off-by-one" ? tp.rcv_wnd + 1 : tp.rcv_wnd;
  todrop = seq_sub(seq_add(seg.seq, seg.tlen), seq_add(tp.rcv_nxt, rcvwnd));
  if (todrop > 0) {
    st.tcps_rcvpackafterwin++;
    if (todrop >= seg.tlen) {
      st.tcps_rcvbyteafterwin += seg.tlen;
      if (tp.rcv_wnd === 0 && seg.seq === tp.rcv_nxt) {
        tp.t_flags |= TF_ACKNOW;
        st.tcps_rcvwinprobe++;
      } else {
        return done(DROPAFTERACK);
      }
    } else {
      st.tcps_rcvbyteafterwin += todrop;
    }
    m_adj(seg.m, -todrop);
    seg.tlen -= todrop;
    seg.tiflags &= ~(TH_PUSH | TH_FIN);
  }
  seg.m.th_seq = seg.seq;
  // the segment covers last_ack_sent: its TSval is the one to echo
  const segend = seq_add(seg.seq, seg.tlen + (seg.tiflags & (TH_SYN | TH_FIN) ? 1 : 0));
  if (m.th_ts && SEQ_LEQ(seg.seq, tp.last_ack_sent) && SEQ_LEQ(tp.last_ack_sent, segend)) {
    tp.ts_recent_age = tcp_now(stack);
    tp.ts_recent = m.th_tsval;
  }
  // a SYN in SYN_RECEIVED (a retransmission of the peer's) is answered with an ACK
  if (seg.tiflags & TH_SYN) {
    st.tcps_badsyn++;
    return done(DROPAFTERACK);
  }
  if ((seg.tiflags & TH_ACK) === 0) return done(tp.t_flags & TF_ACKNOW ? DROPAFTERACK : DROP);
  if (tp.t_state === TCPS_SYN_RECEIVED) return tcp_input_synrcvd(stack, tp, seg);
  return tcp_input_newack(stack, tp, seg);
}

/**
 * RFC 5961 4.2: a SYN on a synchronised connection gets a challenge ACK;
 * with insecure_syn an in-window one resets it (RFC 793).
 */
function* tcp_input_badsyn(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
  stack.tcpstat.tcps_badsyn++;
  if (
    stack.sysctl["net.inet.tcp.insecure_syn"] !== 0 &&
    SEQ_GEQ(seg.seq, tp.last_ack_sent) &&
    SEQ_LT(seg.seq, seq_add(tp.last_ack_sent, tp.rcv_wnd))
  ) {
    yield* tcp_drop(tp, ECONNRESET);
  } else {
    yield* tcp_respond_ack(stack, tp);
  }
  return DROP;
}

function* tcp_input_afterclose(stack: NetStack, tp: tcpcb): KernelGen<number> {
  stack.tcpstat.tcps_rcvafterclose++;
  yield* tcp_close(tp);
  return DROPWITHRESET;
}

/** The ACK that completes a passive open (or a simultaneous one), then the ACK's processing. */
function* tcp_input_synrcvd(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
  if (SEQ_GT(tp.snd_una, seg.ack) || SEQ_GT(seg.ack, tp.snd_max)) return DROPWITHRESET;
  stack.tcpstat.tcps_connects++;
  yield* tcp_established(tp);
  tcp_sbround(tp);
  yield* soisconnected(tp.t_socket);
  tp.snd_wl1 = seq_add(seg.seq, -1);
  // data that came before the handshake completed
  if (tp.segq.length > 0 && (yield* tcp_reass(stack, tp, null)) !== 0) yield* tcp_input_fin(tp);
  return yield* tcp_input_newack(stack, tp, seg);
}

/**
 * A RST on a synchronised connection (RFC 5961 3.2, as FreeBSD's
 * tcp_do_segment): inside the window measured from last_ack_sent (or
 * exactly there when the window is closed) it resets the connection if it
 * is at last_ack_sent, or with insecure_rst anywhere in the window, else it
 * gets a challenge ACK; outside the window it is dropped. NetBSD closes a
 * CLOSING, LAST_ACK or TIME_WAIT connection without an error for the
 * socket and without counting a drop; FreeBSD reports ECONNRESET for the
 * first two and counts every one.
 */
function* tcp_input_rst(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
  const so = tp.t_socket;
  const inWindow =
    (SEQ_GEQ(seg.seq, tp.last_ack_sent) &&
      SEQ_LT(seg.seq, seq_add(tp.last_ack_sent, tp.rcv_wnd))) ||
    (tp.rcv_wnd === 0 && seg.seq === tp.last_ack_sent);
  if (!inWindow) return DROP;
  if (stack.sysctl["net.inet.tcp.insecure_rst"] === 0 && seg.seq !== tp.last_ack_sent) {
    yield* tcp_respond_ack(stack, tp);
    return DROP;
  }
  const closing =
    tp.t_state === TCPS_CLOSING || tp.t_state === TCPS_LAST_ACK || tp.t_state === TCPS_TIME_WAIT;
  if (stack.preset !== "netbsd" || !closing) {
    stack.tcpstat.tcps_drops++;
    so.so_error = tp.t_state === TCPS_SYN_RECEIVED ? ECONNREFUSED : ECONNRESET;
  }
  yield* tcp_close(tp);
  return DROP;
}

/** A bare ACK from snd_nxt acknowledging rcv_nxt: RFC 5961's challenge ACK, TIME_WAIT's answer. */
function* tcp_respond_ack(stack: NetStack, tp: tcpcb): KernelGen {
  const inp = tp.t_inpcb;
  yield* tcp_respond(
    stack,
    tp.t_socket,
    inp.inp_faddr,
    inp.inp_fport,
    inp.inp_lport,
    tp.rcv_nxt,
    tp.snd_nxt,
    TH_ACK,
    tp,
  );
  tp.last_ack_sent = tp.rcv_nxt;
}

/**
 * tcp_twcheck (FreeBSD tcp_timewait.c): a segment for a connection in
 * TIME_WAIT. A RST is ignored (RFC 1337), but under the netbsd preset it
 * closes the connection as any RST would (NetBSD's tcp_input has no RFC
 * 1337 exception); a SYN-FIN with drop_synfin is
 * dropped; a new SYN above rcv_nxt ends the old connection and is looked
 * up again, so a listener takes it (FreeBSD's `goto findpcb` after
 * tcp_twcheck, RFC 1122 4.2.2.13); under the netbsd preset a SYN follows
 * NetBSD's rules (tcp_twsyn_netbsd); a segment without ACK is dropped; a
 * retransmitted FIN restarts the 2MSL wait; anything but an exact
 * duplicate ACK is answered with an ACK.
 */
function* tcp_twcheck(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
  const f = seg.tiflags;
  if (f & TH_RST) return stack.preset === "netbsd" ? yield* tcp_input_rst(stack, tp, seg) : DROP;
  if (
    (f & (TH_SYN | TH_FIN)) === (TH_SYN | TH_FIN) &&
    stack.sysctl["net.inet.tcp.drop_synfin"] !== 0
  ) {
    return DROP;
  }
  if (f & TH_SYN && stack.preset === "netbsd") return yield* tcp_twsyn_netbsd(stack, tp, seg);
  if ((f & (TH_SYN | TH_ACK)) === TH_SYN && SEQ_GT(seg.seq, tp.rcv_nxt)) {
    yield* tcp_close(tp);
    return FINDPCB;
  }
  if ((f & TH_ACK) === 0) return DROP;
  if (f & TH_FIN && seq_add(seg.seq, seg.tlen + (f & TH_SYN ? 1 : 0) + 1) === tp.rcv_nxt) {
    yield* TCP_TIMER_ARM(tp, TCPT_2MSL, 2 * tcp_msl(tp));
  }
  if (f !== TH_ACK || seg.tlen !== 0 || seg.seq !== tp.rcv_nxt || seg.ack !== tp.snd_nxt) {
    yield* tcp_respond_ack(stack, tp);
  }
  return DROP;
}

/**
 * A SYN on a TIME_WAIT connection as NetBSD's tcp_input takes it: through
 * the synchronised states' checks, not a TIME_WAIT routine of its own. It
 * ends the old connection and is looked up again only if it passes PAWS
 * and lies wholly beyond the receive window, above rcv_nxt (the
 * "segment ends after window" case); any other SYN is answered with an
 * ACK (a duplicate trimmed to nothing, or an in-window SYN).
 */
function* tcp_twsyn_netbsd(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
  const m = seg.m;
  const paws =
    m.th_ts &&
    tp.ts_recent !== 0 &&
    TSTMP_LT(m.th_tsval, tp.ts_recent) &&
    ((tcp_now(stack) - tp.ts_recent_age) | 0) <= TCP_PAWS_IDLE;
  if (paws) stack.tcpstat.tcps_pawsdrop++;
  else if (SEQ_GT(seg.seq, tp.rcv_nxt) && SEQ_GEQ(seg.seq, seq_add(tp.rcv_nxt, tp.rcv_wnd))) {
    yield* tcp_close(tp);
    return FINDPCB;
  }
  yield* tcp_respond_ack(stack, tp);
  return DROP;
}

/** The ACK of a synchronised connection: duplicates, new data acknowledged, the FIN states. */
function tcp_input_newack(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelOp<number> {
  if (tp.t_flags & TF_SACK_PERMIT) {
    const sack = seg.m.th_sack;
    if (sack !== null) tcp_sack_option(tp, seg.ack, sack);
    tcp_del_sackholes(tp, seg.ack);
  }
  const old =
    stack.tcp_fault === "seq-no-wrap" ? seg.ack <= tp.snd_una : SEQ_LEQ(seg.ack, tp.snd_una);
  if (old) {
    if (seg.tlen === 0 && seg.tiwin === tp.snd_wnd) return tcp_input_dupack(stack, tp, seg);
    tp.t_dupacks = 0;
    return done(STEP6);
  }
  const o = tp.t_congctl.fast_retransmit_newack(tp, seg.ack);
  return paid(o) ? tcp_input_acked(stack, tp, seg) : after(o, tcp_input_acked, stack, tp, seg);
}

/** A duplicate ACK: fast retransmit on the third, inflation past it, limited transmit before. */
function* tcp_input_dupack(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
  stack.tcpstat.tcps_rcvdupack++;
  if (!TCP_TIMER_ISARMED(tp, TCPT_REXMT) || seg.ack !== tp.snd_una) {
    tp.t_dupacks = 0;
  } else if (
    tp.t_partialacks < 0 &&
    (++tp.t_dupacks === tcprexmtthresh || TCP_FACK_FASTRECOV(tp))
  ) {
    return (yield* tp.t_congctl.fast_retransmit(tp, seg.ack)) ? DROP : STEP6;
  } else if (tp.t_dupacks > tcprexmtthresh) {
    tp.snd_cwnd += tp.t_segsz;
    yield* tcp_output(tp);
    return DROP;
  } else if (
    tp.t_partialacks < 0 &&
    tp.t_dupacks < tcprexmtthresh &&
    stack.sysctl["net.inet.tcp.rfc3042"] !== 0 &&
    // FreeBSD takes the peer's first FIN (a simultaneous close) on to be processed
    !(seg.tiflags & TH_FIN && !TCPS_HAVERCVDFIN(tp.t_state))
  ) {
    yield* tcp_limited_transmit(tp);
    return DROP;
  }
  return STEP6;
}

/** An ACK of new data: the RTT sample and the retransmit timer. */
function tcp_input_acked(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelOp<number> {
  const st = stack.tcpstat;
  if (SEQ_GT(seg.ack, tp.snd_max)) {
    st.tcps_rcvacktoomuch++;
    return done(DROPAFTERACK);
  }
  const acked = seq_sub(seg.ack, tp.snd_una);
  st.tcps_rcvackpack++;
  st.tcps_rcvackbyte += acked;
  // an RTT sample from the echoed timestamp (one from the future or older than
  // TCP_PAWS_IDLE is not trusted), else from the timed segment if covered
  // (Karn: never after a retransmission)
  const m = seg.m;
  const ts_rtt = m.th_ts && m.th_tsecr !== 0 ? (tcp_now(stack) - m.th_tsecr) | 0 : -1;
  if (ts_rtt >= 0 && ts_rtt <= TCP_PAWS_IDLE) {
    tcp_xmit_timer(tp, ts_rtt * NS_PER_MS);
  } else if (tp.t_rtttime >= 0 && SEQ_GT(seg.ack, tp.t_rtseq)) {
    tcp_xmit_timer(tp, stack.sim.now - tp.t_rtttime);
  }
  // all sent data acked: no retransmit timer; else restart it
  let o: KernelOp<unknown> | null = null;
  if (seg.ack === tp.snd_max) {
    o = TCP_TIMER_DISARM(tp, TCPT_REXMT);
    seg.needoutput = true;
  } else if (!TCP_TIMER_ISARMED(tp, TCPT_PERSIST)) {
    o = TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
  }
  return o === null || paid(o)
    ? tcp_input_sbdrop(stack, tp, seg, acked)
    : after(o, tcp_input_sbdrop, stack, tp, seg, acked);
}

/** The window opens and what was acked leaves so_snd (with our FIN, past its end). */
function tcp_input_sbdrop(
  stack: NetStack,
  tp: tcpcb,
  seg: tcpseg,
  acked: number,
): KernelOp<number> {
  tp.t_congctl.newack(tp, seg.ack);
  const sb = tp.t_socket.so_snd;
  const ourfinisacked = acked > sb.sb_cc;
  let o: KernelOp<void>;
  if (ourfinisacked) {
    tp.snd_wnd -= sb.sb_cc;
    o = sbdrop(sb, sb.sb_cc);
  } else {
    o = sbdrop(sb, acked);
  }
  return paid(o)
    ? tcp_input_sbdropped(stack, tp, seg, acked, ourfinisacked)
    : after(o, tcp_input_sbdropped, stack, tp, seg, acked, ourfinisacked);
}

function tcp_input_sbdropped(
  stack: NetStack,
  tp: tcpcb,
  seg: tcpseg,
  acked: number,
  ourfinisacked: boolean,
): KernelOp<number> {
  if (!ourfinisacked) tp.snd_wnd -= acked;
  const so = tp.t_socket;
  // the lost-wakeup fault forgets the writer when the buffer empties
  if (stack.tcp_fault !== "lost-wakeup" || so.so_snd.sb_cc > 0) {
    const o = sowwakeup(so);
    if (!paid(o)) return after(o, tcp_input_snd_una, tp, seg, ourfinisacked);
  }
  return tcp_input_snd_una(tp, seg, ourfinisacked);
}

function tcp_input_snd_una(tp: tcpcb, seg: tcpseg, ourfinisacked: boolean): KernelOp<number> {
  tp.snd_una = seg.ack;
  if (SEQ_LT(tp.snd_nxt, tp.snd_una)) tp.snd_nxt = tp.snd_una;
  return ourfinisacked ? tcp_input_finacked(tp) : done(STEP6);
}

/** Our FIN acked: the closing states move on. */
function* tcp_input_finacked(tp: tcpcb): KernelGen<number> {
  const so = tp.t_socket;
  switch (tp.t_state) {
    case TCPS_FIN_WAIT_1:
      // a socket that takes no more data (closed: soisdisconnecting) need not
      // wait forever for the peer's FIN (both kernels test CANTRCVMORE)
      if (so.so_state & SS_CANTRCVMORE) {
        yield* soisdisconnected(so);
        yield* TCP_TIMER_ARM(tp, TCPT_2MSL, tcp_finwait2_timer(tp));
      }
      tcp_state(tp, TCPS_FIN_WAIT_2);
      break;
    case TCPS_CLOSING:
      yield* tcp_timewait(tp);
      break;
    case TCPS_LAST_ACK:
      yield* tcp_close(tp);
      return DROP;
  }
  return STEP6;
}

/** Step 6 on: the window update, the data and the FIN. */
function tcp_input_step6(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelOp<number> {
  // RFC 793: take the window from the newest segment (wl1, then wl2)
  if (
    seg.tiflags & TH_ACK &&
    (SEQ_LT(tp.snd_wl1, seg.seq) ||
      (tp.snd_wl1 === seg.seq &&
        (SEQ_LT(tp.snd_wl2, seg.ack) || (tp.snd_wl2 === seg.ack && seg.tiwin > tp.snd_wnd))))
  ) {
    if (seg.tlen === 0 && tp.snd_wl2 === seg.ack && seg.tiwin > tp.snd_wnd) {
      stack.tcpstat.tcps_rcvwinupd++;
    }
    tp.snd_wnd = seg.tiwin;
    tp.snd_wl1 = seg.seq;
    tp.snd_wl2 = seg.ack;
    if (tp.snd_wnd > tp.max_sndwnd) tp.max_sndwnd = tp.snd_wnd;
    // the kernels' fast path for in-order data calls tcp_output only when an ACK is due
    if (!seg.predicted) seg.needoutput = true;
  }
  if ((seg.tlen > 0 || seg.tiflags & TH_FIN) && !TCPS_HAVERCVDFIN(tp.t_state)) {
    if (seg.seq === tp.rcv_nxt && tp.segq.length === 0 && tp.t_state === TCPS_ESTABLISHED) {
      // in order: straight to the socket, with a delayed ACK (an immediate one every second segment)
      const o = tcp_setup_ack(tp);
      return paid(o) ? tcp_input_data(stack, tp, seg) : after(o, tcp_input_data, stack, tp, seg);
    }
    return tcp_input_reass(stack, tp, seg);
  }
  seg.tiflags &= ~TH_FIN;
  return tcp_input_output(tp, seg, false);
}

/** In-order data: rcv_nxt moves and the bytes go to so_rcv. */
function tcp_input_data(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelOp<number> {
  const st = stack.tcpstat;
  tp.rcv_nxt = seq_add(tp.rcv_nxt, seg.tlen);
  st.tcps_rcvpack++;
  st.tcps_rcvbyte += seg.tlen;
  if (seg.tlen === 0) return tcp_input_fin_output(tp, seg, false);
  const o = tcp_deliver(stack, tp.t_socket, seg.m);
  return paid(o)
    ? tcp_input_fin_output(tp, seg, true)
    : after(o, tcp_input_fin_output, tp, seg, true);
}

/** Out-of-order data (or data with the queue not empty): the reassembly queue, and an ACK now. */
function* tcp_input_reass(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
  seg.tiflags = yield* tcp_reass(stack, tp, seg);
  tp.t_flags |= TF_ACKNOW;
  return yield* tcp_input_fin_output(tp, seg, true);
}

function tcp_input_fin_output(tp: tcpcb, seg: tcpseg, consumed: boolean): KernelOp<number> {
  return seg.tiflags & TH_FIN
    ? tcp_input_fin_then_output(tp, seg, consumed)
    : tcp_input_output(tp, seg, consumed);
}

function* tcp_input_fin_then_output(tp: tcpcb, seg: tcpseg, consumed: boolean): KernelGen<number> {
  yield* tcp_input_fin(tp);
  return yield* tcp_input_output(tp, seg, consumed);
}

/** tcp_output if the window moved or an ACK is due; the mbuf is consumed or to be freed. */
function tcp_input_output(tp: tcpcb, seg: tcpseg, consumed: boolean): KernelOp<number> {
  const what = consumed ? DONE : DROP;
  if (!seg.needoutput && (tp.t_flags & TF_ACKNOW) === 0) return done(what);
  const o = tcp_output(tp);
  return paid(o) ? done(what) : after(o, done, what);
}

/** The peer's FIN, in sequence: no more data, and the next state. */
function* tcp_input_fin(tp: tcpcb): KernelGen {
  if (!TCPS_HAVERCVDFIN(tp.t_state)) {
    yield* socantrcvmore(tp.t_socket);
    tp.t_flags |= TF_ACKNOW;
    tp.rcv_nxt = seq_add(tp.rcv_nxt, 1);
  }
  switch (tp.t_state) {
    case TCPS_SYN_RECEIVED:
    case TCPS_ESTABLISHED:
      tcp_state(tp, TCPS_CLOSE_WAIT);
      break;
    case TCPS_FIN_WAIT_1:
      tcp_state(tp, TCPS_CLOSING);
      break;
    case TCPS_FIN_WAIT_2:
      yield* tcp_timewait(tp);
      break;
  }
}

/** Into TIME_WAIT: every timer off but 2MSL, and the socket disconnected. */
function* tcp_timewait(tp: tcpcb): KernelGen {
  tcp_state(tp, TCPS_TIME_WAIT);
  yield* TCP_TIMER_DISARM(tp, TCPT_REXMT);
  yield* TCP_TIMER_DISARM(tp, TCPT_PERSIST);
  yield* TCP_TIMER_DISARM(tp, TCPT_KEEP);
  yield* TCP_TIMER_ARM(tp, TCPT_2MSL, 2 * tcp_msl(tp));
  yield* soisdisconnected(tp.t_socket);
}

/**
 * TCP_SETUP_ACK: a second segment owed an ACK gets it now; the first waits
 * for the delayed-ACK callout, unless net.inet.tcp.delayed_ack is 0
 * (FreeBSD's DELAY_ACK tests V_tcp_delack_enabled).
 */
function tcp_setup_ack(tp: tcpcb): KernelOp<void> {
  if (tp.t_flags & TF_DELACK || tp.t_socket.stack.sysctl["net.inet.tcp.delayed_ack"] === 0) {
    tp.t_flags |= TF_ACKNOW;
    return done(undefined);
  }
  tp.t_flags |= TF_DELACK;
  return TCP_SET_DELACK(tp);
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
function tcp_sbround(tp: tcpcb): void {
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
function* tcp_established(tp: tcpcb): KernelGen {
  tcp_state(tp, TCPS_ESTABLISHED);
  const n = tp.t_socket.stack.sysctl["net.inet.tcp.initcwnd_segments"];
  tp.snd_cwnd = TCP_INITIAL_WINDOW(n, tp.t_segsz, tp.t_socket.stack.preset);
  tp.snd_fack = tp.snd_una;
  yield* TCP_TIMER_ARM(tp, TCPT_KEEP, tp.t_keepidle);
}

/**
 * tcp_xmit_timer: an RTT sample of `rtt` ns into the estimate (RFC 6298
 * 2.2-2.3: srtt and rttvar with gains 1/8 and 1/4) and the RTO from it.
 */
export function tcp_xmit_timer(tp: tcpcb, rtt: number): void {
  const st = tp.t_socket.stack.tcpstat;
  st.tcps_rttupdated++;
  if (tp.t_srtt !== 0) {
    tp.t_rttvar += (Math.abs(tp.t_srtt - rtt) - tp.t_rttvar) / 4;
    tp.t_srtt += (rtt - tp.t_srtt) / 8;
  } else {
    tp.t_srtt = Math.max(rtt, 1);
    tp.t_rttvar = rtt / 2;
  }
  tp.t_rtttime = -1;
  tp.t_rxtshift = 0;
  tp.t_rxtcur = TCPT_RANGESET(
    TCP_REXMTVAL(tp) + tcp_rexmit_slop(tp),
    tcp_rexmit_min(tp),
    TCPTV_REXMTMAX,
  );
}
