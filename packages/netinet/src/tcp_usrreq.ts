/*
 * TCP's user requests, after NetBSD sys/netinet/tcp_usrreq.c (tcp_usrreqs):
 * attach makes the pcb and the tcpcb and marks both buffers SB_AUTOSIZE; listen moves to LISTEN; connect
 * sends the SYN (SYN_SENT); send appends to so_snd and calls tcp_output;
 * rcvd lets tcp_output announce the window the reader opened; shutdown
 * and disconnect send the FIN (tcp_usrclosed: FIN_WAIT_1 or LAST_ACK), or
 * close at once before the connection is up; detach is disconnect for a
 * socket being closed. The socket layer calls them inside `usrreq`.
 *
 * setsockopt at IPPROTO_TCP (tcp_ctloutput, tcp_sockopt.ts): TCP_NODELAY,
 * TCP_MAXSEG, TCP_NOOPT, the keepalive times, TCP_CONGESTION. Connect arms
 * the keepalive timer with keepinit: a handshake not done by then is
 * dropped with ETIMEDOUT.
 *
 * send and rcvd run on every write and read: they are plain functions
 * returning an operation, as tcp_output is (its note), not generators.
 *
 * Left out: SO_LINGER (an abortive close with a zero timeout).
 */

import { after, done, type KernelGen, type KernelOp, paid } from "@smpnet/sim";
import { in_pcballoc, in_pcbbind, in_pcbconnect } from "./in_pcb.js";
import { m_freem, type mbuf } from "./mbuf.js";
import type { pr_usrreqs } from "./protosw.js";
import { EADDRINUSE, EINVAL, EISCONN, EPIPE, SB_AUTOSIZE, type socket } from "./socketvar.js";
import {
  TCPS_CLOSE_WAIT,
  TCPS_CLOSED,
  TCPS_ESTABLISHED,
  TCPS_FIN_WAIT_1,
  TCPS_FIN_WAIT_2,
  TCPS_LAST_ACK,
  TCPS_LISTEN,
  TCPS_SYN_RECEIVED,
  TCPS_SYN_SENT,
} from "./tcp_fsm.js";
import { tcp_sendseqinit } from "./tcp_input_open.js";
import { tcp_new_iss } from "./tcp_iss.js";
import { tcp_output } from "./tcp_output.js";
import { tcp_ctloutput, tcp_ctloutput_get } from "./tcp_sockopt.js";
import { tcp_close, tcp_newtcpcb, tcp_rcvscale, tcp_state } from "./tcp_subr.js";
import { TCP_TIMER_ARM, TCPT_2MSL, TCPT_KEEP, tcp_finwait2_timer } from "./tcp_timer.js";
import type { tcpcb } from "./tcp_var.js";
import {
  sbappendstream,
  sbflush,
  socantsendmore,
  soisconnecting,
  soisdisconnected,
  soisdisconnecting,
} from "./uipc_socket2.js";

/** The live tcpcb of a socket, or null once the connection is closed. */
function sototcpcb(so: socket): tcpcb | null {
  const tp = so.so_pcb?.inp_ppcb ?? null;
  return tp === null || tp.dead ? null : tp;
}

/**
 * tcp_usrclosed: the user will send no more. Before the connection is up
 * it just closes; after, the FIN goes out with the next tcp_output.
 */
function* tcp_usrclosed(tp: tcpcb): KernelGen<tcpcb | null> {
  switch (tp.t_state) {
    case TCPS_CLOSED:
    case TCPS_LISTEN:
    case TCPS_SYN_SENT:
      yield* tcp_close(tp);
      return null;
    case TCPS_SYN_RECEIVED:
    case TCPS_ESTABLISHED:
      tcp_state(tp, TCPS_FIN_WAIT_1);
      break;
    case TCPS_CLOSE_WAIT:
      tcp_state(tp, TCPS_LAST_ACK);
      break;
  }
  if (tp.t_state >= TCPS_FIN_WAIT_2) {
    // our FIN is acked already: do not wait forever for the peer's
    yield* soisdisconnected(tp.t_socket);
    if (tp.t_state === TCPS_FIN_WAIT_2) yield* TCP_TIMER_ARM(tp, TCPT_2MSL, tcp_finwait2_timer(tp));
  }
  return tp;
}

/** tcp_disconnect: close at once before ESTABLISHED, else flush what was not read and send the FIN. */
function* tcp_disconnect(tp: tcpcb): KernelGen {
  const so = tp.t_socket;
  if (tp.t_state < TCPS_ESTABLISHED) {
    yield* tcp_close(tp);
    return;
  }
  yield* soisdisconnecting(so);
  yield* sbflush(so.so_rcv);
  const still = yield* tcp_usrclosed(tp);
  if (still !== null) yield* tcp_output(still);
}

/** pr_send after the connection closed: the data is dropped. */
function* tcp_usrsend_closed(so: socket, m: mbuf): KernelGen<number> {
  yield* m_freem(so.stack.mbufs, m);
  return so.so_error || EPIPE;
}

/** tcp_output for a request that has done its part: its error is not the request's (0). */
function tcp_usroutput(tp: tcpcb): KernelOp<number> {
  const o = tcp_output(tp);
  return paid(o) ? done(0) : after(o, done, 0);
}

export const tcp_usrreqs: pr_usrreqs = {
  *pr_attach(so) {
    // both buffers autosize until SO_SNDBUF/SO_RCVBUF or a refused step (tcp_autosize.ts)
    so.so_snd.sb_flags |= SB_AUTOSIZE;
    so.so_rcv.sb_flags |= SB_AUTOSIZE;
    const inp = yield* in_pcballoc(so.stack.tcbtable, so);
    yield* tcp_newtcpcb(inp);
    return 0;
  },
  *pr_bind(so, addr, port) {
    if (so.so_pcb === null) return EINVAL;
    return (yield* in_pcbbind(so.so_pcb, addr, port)) ? 0 : EADDRINUSE;
  },
  *pr_listen(so) {
    const tp = sototcpcb(so);
    if (tp === null || tp.t_state > TCPS_LISTEN) return EINVAL;
    const inp = tp.t_inpcb;
    if (inp.inp_lport === 0 && !(yield* in_pcbbind(inp, 0, 0))) return EADDRINUSE;
    tcp_state(tp, TCPS_LISTEN);
    return 0;
  },
  *pr_connect(so, addr, port) {
    const tp = sototcpcb(so);
    if (tp === null) return EINVAL;
    if (tp.t_state !== TCPS_CLOSED) return EISCONN;
    const inp = tp.t_inpcb;
    if (inp.inp_lport === 0 && !(yield* in_pcbbind(inp, 0, 0))) return EADDRINUSE;
    const error = yield* in_pcbconnect(inp, addr, port);
    if (error !== 0) return error;
    soisconnecting(so);
    so.stack.tcpstat.tcps_connattempt++;
    tcp_state(tp, TCPS_SYN_SENT);
    tp.iss = tcp_new_iss(tp);
    tcp_sendseqinit(tp);
    tcp_rcvscale(tp);
    yield* TCP_TIMER_ARM(tp, TCPT_KEEP, tp.t_keepinit);
    yield* tcp_output(tp);
    return 0;
  },
  *pr_accept() {
    return 0;
  },
  pr_send(so, m) {
    const tp = sototcpcb(so);
    if (tp === null) return tcp_usrsend_closed(so, m);
    const o = sbappendstream(so.so_snd, m);
    return paid(o) ? tcp_usroutput(tp) : after(o, tcp_usroutput, tp);
  },
  pr_rcvd(so) {
    const tp = sototcpcb(so);
    return tp === null ? done(0) : tcp_usroutput(tp);
  },
  *pr_shutdown(so) {
    yield* socantsendmore(so);
    const tp = sototcpcb(so);
    if (tp === null) return 0;
    const still = yield* tcp_usrclosed(tp);
    if (still !== null) yield* tcp_output(still);
    return 0;
  },
  *pr_disconnect(so) {
    const tp = sototcpcb(so);
    if (tp !== null) yield* tcp_disconnect(tp);
    return 0;
  },
  *pr_detach(so) {
    const tp = sototcpcb(so);
    if (tp !== null) yield* tcp_disconnect(tp);
  },
  *pr_setopt(so, name, value) {
    const tp = sototcpcb(so);
    return tp === null ? EINVAL : tcp_ctloutput(tp, name, value);
  },
  *pr_getopt(so, name, out) {
    const tp = sototcpcb(so);
    return tp === null ? EINVAL : tcp_ctloutput_get(tp, name, out);
  },
};
