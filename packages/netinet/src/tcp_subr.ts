/*
 * TCP's common routines, after NetBSD sys/netinet/tcp_subr.c: a new control
 * block with its timers (tcp_newtcpcb), a bare segment such as a RST or an
 * ACK that belongs to no connection (tcp_respond), and the end of a
 * connection (tcp_close, tcp_drop). The initial sequence number, also
 * tcp_subr.c's, is tcp_iss.ts's.
 *
 * A new tcpcb asks for
 * RFC 7323's options as net.inet.tcp.rfc1323 says (or the host's explicit
 * windowScale and timestamps switches); tcp_rcvscale picks the window shift from the receive buffer as
 * NetBSD's connect and syn cache do. Timestamps count milliseconds of the
 * host's clock (TCP_TIMESTAMP), FreeBSD's rate (tcp_ts_getticks): NetBSD's
 * tcp_now counts 500 ms slow ticks, too coarse for a LAN's RTT samples.
 * A new tcpcb offers SACK as net.inet.tcp.sack.enable says, takes the
 * host's selected congestion control module and the keepalive sysctls.
 * Left out: the template
 * header (tcp_template), ICMP-driven changes (tcp_quench, tcp_mtudisc).
 */

import { curcpu, type KernelGen, NS_PER_MS, work } from "@smpnet/sim";
import {
  CALLOUT_MPSAFE,
  callout_destroy,
  callout_init,
  callout_setfunc,
  callout_stop,
} from "@smpnet/softint";
import { IP_HDR_LEN, IPPROTO_TCP, TCP_HDR_LEN } from "./constants.js";
import { in_cksum } from "./in_cksum.js";
import { in_pcbdetach, type inpcb } from "./in_pcb.js";
import { ip_output } from "./ip_output.js";
import { m_freem, m_gethdr } from "./mbuf.js";
import { SS_NOFDREF, type socket } from "./socketvar.js";
import type { NetStack } from "./stack.js";
import { TCP_MAXWIN } from "./tcp_congctl.js";
import { TCPS_CLOSED, TCPS_HAVERCVDSYN, TH_ACK, TH_RST } from "./tcp_fsm.js";
import { TCPOLEN_TSTAMP_APPA, tcp_output } from "./tcp_output.js";
import {
  TCPT_2MSL,
  TCPT_KEEP,
  TCPT_PERSIST,
  TCPT_REXMT,
  tcp_delack,
  tcp_keep_sysctl,
  tcp_timer_2msl,
  tcp_timer_keep,
  tcp_timer_persist,
  tcp_timer_rexmt,
} from "./tcp_timer.js";
import { TF_RCVD_TSTMP, TF_REQ_SCALE, TF_REQ_TSTMP, TF_WILL_SACK, tcpcb } from "./tcp_var.js";
import { sbflush, sbspace, soisdisconnected, soqremque } from "./uipc_socket2.js";

/** The largest window shift (tcp.h TCP_MAX_WINSHIFT). */
export const TCP_MAX_WINSHIFT = 14;

/** The MSS this host offers: the interface MTU less the IP and TCP headers (tcp_mss_to_advertise). */
export function tcp_mss_to_advertise(stack: NetStack): number {
  return stack.ifp.nic.mtuBytes - IP_HDR_LEN - TCP_HDR_LEN;
}

/** tcp_newtcpcb: a control block for the pcb `inp`, with its callouts. */
export function* tcp_newtcpcb(inp: inpcb): KernelGen<tcpcb> {
  const stack = inp.inp_socket.stack;
  const host = stack.host;
  const name = `${inp.inp_socket}`;
  const sysctl = stack.sysctl;
  const tp = new tcpcb(
    inp,
    sysctl["net.inet.tcp.mssdflt"],
    sysctl["net.inet.tcp.rexmit_initial"] * NS_PER_MS,
    [
      callout_init(host, CALLOUT_MPSAFE, `${name}.rexmt`),
      callout_init(host, CALLOUT_MPSAFE, `${name}.persist`),
      callout_init(host, CALLOUT_MPSAFE, `${name}.keep`),
      callout_init(host, CALLOUT_MPSAFE, `${name}.2msl`),
    ],
    callout_init(host, CALLOUT_MPSAFE, `${name}.delack`),
    stack.tcp_congctl_selected,
    tcp_keep_sysctl(sysctl),
  );
  yield* callout_setfunc(tp.t_timer[TCPT_REXMT], tcp_timer_rexmt, tp);
  yield* callout_setfunc(tp.t_timer[TCPT_PERSIST], tcp_timer_persist, tp);
  yield* callout_setfunc(tp.t_timer[TCPT_KEEP], tcp_timer_keep, tp);
  yield* callout_setfunc(tp.t_timer[TCPT_2MSL], tcp_timer_2msl, tp);
  yield* callout_setfunc(tp.t_delack_ch, tcp_delack, tp);
  // no sample yet: an RTO of rexmit_initial (both kernels' tcp_newtcpcb)
  tp.t_rttvar = tp.t_rxtcur / 4;
  // no congestion limit until the connection is up and its MSS known (tcp_established sets cwnd)
  tp.snd_cwnd = tp.snd_ssthresh = TCP_MAXWIN << TCP_MAX_WINSHIFT;
  const rfc1323 = sysctl["net.inet.tcp.rfc1323"] !== 0;
  const sw = stack.tcpSwitches;
  if (sw.windowScale ?? rfc1323) tp.t_flags |= TF_REQ_SCALE;
  if (sw.timestamps ?? rfc1323) tp.t_flags |= TF_REQ_TSTMP;
  if (sw.sack ?? sysctl["net.inet.tcp.sack.enable"] !== 0) tp.t_flags |= TF_WILL_SACK;
  inp.inp_ppcb = tp;
  return tp;
}

/**
 * tcp_rcvscale: the smallest shift that lets the window cover the largest
 * socket buffer, sb_max (kern.ipc.maxsockbuf), so a buffer grown later
 * still fits (tcp_usrreq.c tcp_connect and the syn cache, both kernels).
 */
export function tcp_rcvscale(tp: tcpcb): void {
  const sb_max = tp.t_socket.stack.sysctl["kern.ipc.maxsockbuf"];
  tp.request_r_scale = 0;
  while (tp.request_r_scale < TCP_MAX_WINSHIFT && TCP_MAXWIN << tp.request_r_scale < sb_max) {
    tp.request_r_scale++;
  }
}

/** TCP_TIMESTAMP: the timestamp clock in ms, from 1 so that a TSecr of 0 means none. */
export function tcp_now(stack: NetStack): number {
  return (Math.floor(stack.sim.now / NS_PER_MS) + 1) >>> 0;
}

/** tcp_state: the state change, for the probe. */
export function tcp_state(tp: tcpcb, state: number): void {
  const from = tp.t_state;
  tp.t_state = state;
  const stack = tp.t_socket.stack;
  const p = stack.probes.tcp_state;
  if (p.on) p.emit(stack.host, tp.t_socket.id, from, state, tp.snd_cwnd, tp.t_srtt);
}

/**
 * tcp_respond: sends a bare segment (RST, or an ACK outside any
 * connection's output) to `faddr`:`fport` from `lport`. With the
 * connection `tp` (a challenge ACK, an ACK from TIME_WAIT) an ACK carries
 * the receive window and, when agreed, timestamps; a RST's window is 0.
 */
export function* tcp_respond(
  stack: NetStack,
  so: socket | null,
  faddr: number,
  fport: number,
  lport: number,
  ack: number,
  seq: number,
  flags: number,
  tp: tcpcb | null = null,
): KernelGen {
  const m = yield* m_gethdr(stack.mbufs);
  if (m === null) return;
  yield* work(stack.costs.tcpOutputCycles);
  const ts = TF_REQ_TSTMP | TF_RCVD_TSTMP;
  const tstmp = tp !== null && (flags & TH_RST) === 0 && (tp.t_flags & ts) === ts;
  const hdrlen = TCP_HDR_LEN + (tstmp ? TCPOLEN_TSTAMP_APPA : 0);
  m.len = m.m_len = IP_HDR_LEN + hdrlen;
  m.id = stack.nextPacketId();
  m.sport = lport;
  m.dport = fport;
  m.th_seq = seq >>> 0;
  m.th_ack = flags & TH_ACK ? ack >>> 0 : 0;
  m.th_flags = flags;
  m.th_off = hdrlen;
  m.th_win = 0;
  if (tp !== null && (flags & TH_RST) === 0) {
    const win = Math.min(sbspace(tp.t_socket.so_rcv), TCP_MAXWIN << tp.rcv_scale);
    m.th_win = Math.max(win, 0) >> tp.rcv_scale;
  }
  if (tstmp) {
    m.th_ts = true;
    m.th_tsval = tcp_now(stack);
    m.th_tsecr = tp.ts_recent;
  }
  if (!stack.ifp.if_capenable.txChecksum) yield* in_cksum(stack, hdrlen);
  const st = stack.tcpstat;
  st.tcps_sndtotal++;
  if (flags & TH_RST) st.tcps_sndrst++;
  else st.tcps_sndacks++;
  const p = stack.probes.tcp_output;
  if (p.on) p.emit(curcpu(), m.id, m.th_seq, m.th_ack, flags, 0, 0, 0);
  const locks = stack.locks;
  if (so !== null) yield* locks.output.enter(so);
  yield* ip_output(stack, m, faddr, IPPROTO_TCP);
  if (so !== null) yield* locks.output.exit(so);
}

/**
 * tcp_close: the connection is over. Stops its timers, frees the
 * reassembly queue, detaches the pcb and reports the socket disconnected.
 */
export function* tcp_close(tp: tcpcb): KernelGen {
  const so = tp.t_socket;
  const stack = so.stack;
  for (const c of [...tp.t_timer, tp.t_delack_ch]) {
    yield* callout_stop(c);
    callout_destroy(c);
  }
  for (const q of tp.segq) yield* m_freem(stack.mbufs, q.m);
  tp.segq.length = 0;
  // tcp_drop already said CLOSED (FreeBSD's tcp_close changes the state only if not yet)
  if (tp.t_state !== TCPS_CLOSED) tcp_state(tp, TCPS_CLOSED);
  tp.dead = true;
  stack.tcpstat.tcps_closed++;
  // an embryonic connection leaves its listener's queue
  if (so.so_head?.so_q0.includes(so)) soqremque(so);
  const inp = tp.t_inpcb;
  inp.inp_ppcb = null;
  yield* in_pcbdetach(inp);
  yield* sbflush(so.so_snd);
  if (so.so_state & SS_NOFDREF) yield* sbflush(so.so_rcv);
  yield* soisdisconnected(so);
}

/** tcp_drop: aborts the connection with `errno` for the user, sending a RST if it got far enough. */
export function* tcp_drop(tp: tcpcb, errno: number): KernelGen {
  const st = tp.t_socket.stack.tcpstat;
  if (TCPS_HAVERCVDSYN(tp.t_state)) {
    tcp_state(tp, TCPS_CLOSED);
    yield* tcp_output(tp);
    st.tcps_drops++;
  } else {
    st.tcps_conndrops++;
  }
  tp.t_socket.so_error = errno;
  yield* tcp_close(tp);
}
