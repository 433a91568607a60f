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
 *
 * This file holds the path of an ordinary segment; connection set-up is in
 * tcp_input_open.ts, teardown, resets and TIME_WAIT in tcp_input_close.ts,
 * the segment and the labels they share in tcp_input_seg.ts.
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
import { in_pcblookup, type inpcb } from "./in_pcb.js";
import { m_adj, m_freem, type mbuf } from "./mbuf.js";
import { ECONNRESET, SS_NOFDREF, type socket } from "./socketvar.js";
import type { NetStack } from "./stack.js";
import { tcp_autosize_input } from "./tcp_autosize.js";
import { tcprexmtthresh } from "./tcp_congctl.js";
import {
  TCPS_CLOSE_WAIT,
  TCPS_CLOSED,
  TCPS_ESTABLISHED,
  TCPS_HAVEESTABLISHED,
  TCPS_HAVERCVDFIN,
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
import {
  tcp_input_fin,
  tcp_input_finacked,
  tcp_input_rst,
  tcp_respond_ack,
  tcp_twcheck,
} from "./tcp_input_close.js";
import {
  tcp_established,
  tcp_input_listen,
  tcp_input_synsent,
  tcp_sbround,
} from "./tcp_input_open.js";
import {
  DONE,
  DROP,
  DROPAFTERACK,
  DROPWITHRESET,
  FINDPCB,
  STEP6,
  TCP_PAWS_IDLE,
  TSTMP_LT,
  type tcpseg,
} from "./tcp_input_seg.js";
import { tcp_output } from "./tcp_output.js";
import { tcp_deliver, tcp_reass } from "./tcp_reass.js";
import { tcp_limited_transmit } from "./tcp_rfc3042.js";
import { TCP_FACK_FASTRECOV, tcp_del_sackholes, tcp_sack_option } from "./tcp_sack.js";
import { SEQ_GEQ, SEQ_GT, SEQ_LEQ, SEQ_LT, seq_add, seq_sub } from "./tcp_seq.js";
import { tcp_close, tcp_drop, tcp_now, tcp_respond } from "./tcp_subr.js";
import {
  TCP_SET_DELACK,
  TCP_TIMER_ARM,
  TCP_TIMER_DISARM,
  TCP_TIMER_ISARMED,
  TCPT_KEEP,
  TCPT_PERSIST,
  TCPT_REXMT,
  tcp_xmit_timer,
} from "./tcp_timer.js";
import { TF_ACKNOW, TF_DELACK, TF_SACK_PERMIT, type tcpcb, type tcpstat } from "./tcp_var.js";
import { sbdrop, sbspace, soisconnected, sowwakeup } from "./uipc_socket2.js";

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
  if ((seg.tiflags & TH_SYN) === 0) seg.tiwin = seg.m.th_win << tp.snd_scale;
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
