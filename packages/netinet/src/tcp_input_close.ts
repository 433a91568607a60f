/*
 * Teardown and resets in tcp_input (NetBSD sys/netinet/tcp_input.c, with
 * FreeBSD's tcp_twcheck for TIME_WAIT): a RST on a synchronised connection
 * (RFC 5961 3.2), the challenge ACK, a segment in TIME_WAIT, our FIN acked
 * in the closing states, the peer's FIN, and TIME_WAIT itself. Generators:
 * they are rare beside the segments tcp_input.ts carries as plain functions.
 */

import type { KernelGen } from "@smpnet/sim";
import { ECONNREFUSED, ECONNRESET, SS_CANTRCVMORE } from "./socketvar.js";
import type { NetStack } from "./stack.js";
import {
  TCPS_CLOSE_WAIT,
  TCPS_CLOSING,
  TCPS_ESTABLISHED,
  TCPS_FIN_WAIT_1,
  TCPS_FIN_WAIT_2,
  TCPS_HAVERCVDFIN,
  TCPS_LAST_ACK,
  TCPS_SYN_RECEIVED,
  TCPS_TIME_WAIT,
  TH_ACK,
  TH_FIN,
  TH_RST,
  TH_SYN,
} from "./tcp_fsm.js";
import { DROP, FINDPCB, STEP6, TCP_PAWS_IDLE, TSTMP_LT, type tcpseg } from "./tcp_input_seg.js";
import { SEQ_GEQ, SEQ_GT, SEQ_LT, seq_add } from "./tcp_seq.js";
import { tcp_close, tcp_now, tcp_respond, tcp_state } from "./tcp_subr.js";
import {
  TCP_TIMER_ARM,
  TCP_TIMER_DISARM,
  TCPT_2MSL,
  TCPT_KEEP,
  TCPT_PERSIST,
  TCPT_REXMT,
  tcp_finwait2_timer,
  tcp_msl,
} from "./tcp_timer.js";
import { TF_ACKNOW, type tcpcb } from "./tcp_var.js";
import { socantrcvmore, soisdisconnected } from "./uipc_socket2.js";

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
export function* tcp_input_rst(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
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
export function* tcp_respond_ack(stack: NetStack, tp: tcpcb): KernelGen {
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
export function* tcp_twcheck(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen<number> {
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

/** Our FIN acked: the closing states move on. */
export function* tcp_input_finacked(tp: tcpcb): KernelGen<number> {
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

/** The peer's FIN, in sequence: no more data, and the next state. */
export function* tcp_input_fin(tp: tcpcb): KernelGen {
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
