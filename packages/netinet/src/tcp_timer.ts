/*
 * TCP's timers, after NetBSD sys/netinet/tcp_timer.c and tcp_timer.h: the
 * retransmit timer (RFC 6298's RTO with exponential backoff, tcp_backoff),
 * the persist timer (window probes into a zero window), the 2MSL timer
 * (TIME_WAIT, and FIN_WAIT_2 after close) and the delayed-ACK timer. Each
 * is a callout (CALLOUT_MPSAFE, as tcp_timer.c initialises them) on the
 * host's softint machinery: a starved SOFTINT_CLOCK delays them. A
 * handler runs inside the policy's `timer` lock point and does nothing if
 * the callout was re-armed or stopped meanwhile (callout_pending,
 * callout_active), as tcp_timer.c checks.
 *
 * The keepalive timer (TCPT_KEEP) first bounds the handshake (TCP_KEEPINIT:
 * a connection not established by then is dropped), then, with
 * SO_KEEPALIVE, probes an idle connection every keepintvl after keepidle
 * and drops it after keepcnt unanswered probes. NetBSD re-arms it on every
 * segment received; here the handler compares t_rcvtime and re-arms for
 * the rest of the idle time (FreeBSD's way), which keeps a callout off the
 * per-segment path. A retransmit timeout clears the SACK scoreboard.
 */

import { type KernelGen, NS_PER_MS, NS_PER_SEC } from "@smpnet/sim";
import type { callout_t } from "@smpnet/softint";
import {
  callout_ack,
  callout_active,
  callout_pending,
  callout_schedule,
  callout_stop,
} from "@smpnet/softint";
import { ETIMEDOUT, SO_KEEPALIVE } from "./socketvar.js";
import { TCPS_CLOSE_WAIT, TCPS_ESTABLISHED, TCPS_TIME_WAIT, TH_ACK } from "./tcp_fsm.js";
import { tcp_output } from "./tcp_output.js";
import { tcp_free_sackholes } from "./tcp_sack.js";
import { seq_add } from "./tcp_seq.js";
import { tcp_close, tcp_drop, tcp_respond } from "./tcp_subr.js";
import type { TcpSysctlName, TcpSysctlValues } from "./tcp_sysctl.js";
import { TF_ACKNOW, type tcpcb } from "./tcp_var.js";

/** Timer indices (tcp_timer.h). */
export const TCPT_REXMT = 0;
export const TCPT_PERSIST = 1;
export const TCPT_KEEP = 2;
export const TCPT_2MSL = 3;

/** Bounds of the persist interval (TCPTV_PERSMIN 5 s, TCPTV_PERSMAX 60 s). */
export const TCPTV_PERSMIN = 5 * NS_PER_SEC;
export const TCPTV_PERSMAX = 60 * NS_PER_SEC;
/** The retransmit timeout's ceiling (TCPTV_REXMTMAX 64 s; its floor is net.inet.tcp.rexmit_min). */
export const TCPTV_REXMTMAX = 64 * NS_PER_SEC;
/** Idle time a FIN_WAIT_2 connection with no socket is kept (tcp_maxidle: 8 keepalive intervals of 75 s). */
export const TCP_MAXIDLE = 8 * 75 * NS_PER_SEC;
/** Retransmissions before the connection is dropped (TCP_MAXRXTSHIFT). */
export const TCP_MAXRXTSHIFT = 12;
/** The backoff multipliers (tcp_timer.c tcp_backoff). */
export const tcp_backoff: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 64, 64, 64, 64, 64, 64];
/** The sysctls the timers read (tcp_sysctl.ts), in ns. */
function sysctl_ns(tp: tcpcb, name: TcpSysctlName): number {
  return tp.t_socket.stack.sysctl[name] * NS_PER_MS;
}
/** Maximum segment lifetime (net.inet.tcp.msl): TIME_WAIT lasts twice it. */
export function tcp_msl(tp: tcpcb): number {
  return sysctl_ns(tp, "net.inet.tcp.msl");
}
/** The retransmit timeout's floor (net.inet.tcp.rexmit_min: TCPTV_MIN). */
export function tcp_rexmit_min(tp: tcpcb): number {
  return sysctl_ns(tp, "net.inet.tcp.rexmit_min");
}
/** Added to every computed timeout (net.inet.tcp.rexmit_slop: FreeBSD's TCPTV_CPU_VAR; NetBSD 0). */
export function tcp_rexmit_slop(tp: tcpcb): number {
  return sysctl_ns(tp, "net.inet.tcp.rexmit_slop");
}

/** Keepalive and connection-establishment settings of a connection (ns, and probes). */
export interface TcpKeep {
  init: number;
  idle: number;
  intvl: number;
  cnt: number;
}
/** A new connection's keepalive settings: net.inet.tcp.keepinit, keepidle, keepintvl, keepcnt (tcp_sysctl.ts cites each preset's). */
export function tcp_keep_sysctl(sysctl: TcpSysctlValues): TcpKeep {
  return {
    init: sysctl["net.inet.tcp.keepinit"] * NS_PER_MS,
    idle: sysctl["net.inet.tcp.keepidle"] * NS_PER_MS,
    intvl: sysctl["net.inet.tcp.keepintvl"] * NS_PER_MS,
    cnt: sysctl["net.inet.tcp.keepcnt"],
  };
}

/** Ticks of `hz` for `ns`, at least one. */
function ticks(tp: tcpcb, ns: number): number {
  return Math.max(1, Math.ceil((ns * tp.t_socket.stack.hz) / NS_PER_SEC));
}

/** TCPT_RANGESET: `v` clamped to [lo, hi]. */
export function TCPT_RANGESET(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

export function* TCP_TIMER_ARM(tp: tcpcb, which: number, ns: number): KernelGen {
  yield* callout_schedule(tp.t_timer[which]!, ticks(tp, ns));
}

export function* TCP_TIMER_DISARM(tp: tcpcb, which: number): KernelGen {
  yield* callout_stop(tp.t_timer[which]!);
}

export function TCP_TIMER_ISARMED(tp: tcpcb, which: number): boolean {
  return callout_pending(tp.t_timer[which]!);
}

/** TCP_SET_DELACK: the delayed-ACK callout, due in net.inet.tcp.delacktime. */
export function* TCP_SET_DELACK(tp: tcpcb): KernelGen {
  yield* callout_schedule(tp.t_delack_ch, ticks(tp, sysctl_ns(tp, "net.inet.tcp.delacktime")));
}

/** TCP_REXMTVAL: RFC 6298's RTO, srtt + max(G, 4 rttvar), before clamping. */
export function TCP_REXMTVAL(tp: tcpcb): number {
  if (tp.t_srtt === 0) return sysctl_ns(tp, "net.inet.tcp.rexmit_initial");
  const G = NS_PER_SEC / tp.t_socket.stack.hz;
  return tp.t_srtt + Math.max(G, 4 * tp.t_rttvar);
}

/** tcp_setpersist: arms the persist timer, backed off like the RTO. */
export function* tcp_setpersist(tp: tcpcb): KernelGen {
  const t = TCP_REXMTVAL(tp);
  const ns = TCPT_RANGESET(t * tcp_backoff[tp.t_rxtshift]!, TCPTV_PERSMIN, TCPTV_PERSMAX);
  yield* TCP_TIMER_ARM(tp, TCPT_PERSIST, ns);
  if (tp.t_rxtshift < TCP_MAXRXTSHIFT) tp.t_rxtshift++;
}

/** Runs `body` for the callout `c` of `tp` inside the timer point, if still due. */
function* tcp_timer_enter(tp: tcpcb, c: callout_t, body: (tp: tcpcb) => KernelGen): KernelGen {
  const so = tp.t_socket;
  const locks = so.stack.locks;
  yield* locks.timer.enter(so);
  if (!tp.dead && !callout_pending(c) && callout_active(c)) {
    callout_ack(c);
    yield* body(tp);
  }
  yield* locks.timer.exit(so);
}

/** tcp_timer_rexmt: the retransmit timeout. */
export function* tcp_timer_rexmt(tp: tcpcb): KernelGen {
  yield* tcp_timer_enter(tp, tp.t_timer[TCPT_REXMT], rexmt);
}

function* rexmt(tp: tcpcb): KernelGen {
  const st = tp.t_socket.stack.tcpstat;
  tcp_free_sackholes(tp);
  if (++tp.t_rxtshift > TCP_MAXRXTSHIFT) {
    tp.t_rxtshift = TCP_MAXRXTSHIFT;
    st.tcps_timeoutdrop++;
    yield* tcp_drop(tp, ETIMEDOUT);
    return;
  }
  st.tcps_rexmttimeo++;
  tp.t_rxtcur = TCPT_RANGESET(
    TCP_REXMTVAL(tp) * tcp_backoff[tp.t_rxtshift]! + tcp_rexmit_slop(tp),
    tcp_rexmit_min(tp),
    TCPTV_REXMTMAX,
  );
  yield* TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
  // after a quarter of the retries, the estimate is suspect: fall back on the variance
  if (tp.t_rxtshift > TCP_MAXRXTSHIFT / 4) {
    tp.t_rttvar += tp.t_srtt / 4;
    tp.t_srtt = 0;
  }
  tp.snd_nxt = tp.snd_una;
  tp.snd_high = tp.snd_max;
  // Karn: no RTT sample from a retransmitted segment
  tp.t_rtttime = -1;
  tp.t_congctl.slow_retransmit(tp);
  yield* tcp_output(tp);
}

/** tcp_timer_persist: probes a zero window with one byte. */
export function* tcp_timer_persist(tp: tcpcb): KernelGen {
  yield* tcp_timer_enter(tp, tp.t_timer[TCPT_PERSIST], persist);
}

function* persist(tp: tcpcb): KernelGen {
  tp.t_socket.stack.tcpstat.tcps_persisttimeo++;
  yield* tcp_setpersist(tp);
  tp.t_force = true;
  yield* tcp_output(tp);
  tp.t_force = false;
}

/** tcp_timer_2msl: the end of TIME_WAIT, or of an idle FIN_WAIT_2 with no socket. */
export function* tcp_timer_2msl(tp: tcpcb): KernelGen {
  yield* tcp_timer_enter(tp, tp.t_timer[TCPT_2MSL], msl);
}

function* msl(tp: tcpcb): KernelGen {
  tp.t_socket.stack.tcpstat.tcps_msltimeo++;
  const now = tp.t_socket.stack.sim.now;
  if (tp.t_state !== TCPS_TIME_WAIT && now - tp.t_rcvtime < TCP_MAXIDLE) {
    yield* TCP_TIMER_ARM(tp, TCPT_2MSL, TCP_MAXIDLE - (now - tp.t_rcvtime));
    return;
  }
  yield* tcp_close(tp);
}

/** tcp_delack: the delayed ACK is due. */
export function* tcp_delack(tp: tcpcb): KernelGen {
  yield* tcp_timer_enter(tp, tp.t_delack_ch, delack);
}

function* delack(tp: tcpcb): KernelGen {
  tp.t_flags |= TF_ACKNOW;
  const st = tp.t_socket.stack.tcpstat;
  st.tcps_delackfires++;
  st.tcps_delack++;
  yield* tcp_output(tp);
}

/** tcp_timer_keep: the handshake took too long, or an idle connection is probed or dropped. */
export function* tcp_timer_keep(tp: tcpcb): KernelGen {
  yield* tcp_timer_enter(tp, tp.t_timer[TCPT_KEEP], keep);
}

function* keep(tp: tcpcb): KernelGen {
  const so = tp.t_socket;
  const stack = so.stack;
  const st = stack.tcpstat;
  st.tcps_keeptimeo++;
  if (tp.t_state < TCPS_ESTABLISHED) {
    st.tcps_keepdrops++;
    yield* tcp_drop(tp, ETIMEDOUT);
    return;
  }
  const idle = stack.sim.now - tp.t_rcvtime;
  if ((so.so_options & SO_KEEPALIVE) === 0 || tp.t_state > TCPS_CLOSE_WAIT) {
    yield* TCP_TIMER_ARM(tp, TCPT_KEEP, tp.t_keepidle);
    return;
  }
  if (idle < tp.t_keepidle) {
    // a segment came since the timer was set: wait out the rest of the idle time
    yield* TCP_TIMER_ARM(tp, TCPT_KEEP, tp.t_keepidle - idle);
    return;
  }
  if (idle >= tp.t_keepidle + tp.t_keepcnt * tp.t_keepintvl) {
    st.tcps_keepdrops++;
    yield* tcp_drop(tp, ETIMEDOUT);
    return;
  }
  // a segment the peer must answer: one byte below snd_una, already acknowledged
  st.tcps_keepprobe++;
  const inp = tp.t_inpcb;
  yield* tcp_respond(
    stack,
    so,
    inp.inp_faddr,
    inp.inp_fport,
    inp.inp_lport,
    tp.rcv_nxt,
    seq_add(tp.snd_una, -1),
    TH_ACK,
    tp,
  );
  if (stack.tcp_fault !== "keep-not-rearmed") yield* TCP_TIMER_ARM(tp, TCPT_KEEP, tp.t_keepintvl);
}
