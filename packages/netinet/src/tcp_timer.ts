/*
 * TCP's timers, after NetBSD sys/netinet/tcp_timer.c and tcp_timer.h: the
 * retransmit timer (RFC 6298's RTO with exponential backoff, tcp_backoff),
 * the persist timer (window probes into a zero window), the 2MSL timer
 * (TIME_WAIT, and FIN_WAIT_2 after close: TP_MAXIDLE, or FreeBSD's
 * finwait2_timeout with fast_finwait2_recycle) and the delayed-ACK timer. Each
 * is a callout (CALLOUT_MPSAFE, as tcp_timer.c initialises them) on the
 * host's softint machinery: a starved SOFTINT_CLOCK delays them. A
 * handler runs inside the policy's `timer` lock point and does nothing if
 * the callout was re-armed or stopped meanwhile (callout_pending,
 * callout_active), as tcp_timer.c checks.
 *
 * The keepalive timer (TCPT_KEEP) first bounds the handshake (TCP_KEEPINIT:
 * a connection not established by then is dropped), then, with
 * SO_KEEPALIVE (or FreeBSD's always_keepalive, on by default), probes an
 * idle connection every keepintvl after keepidle and drops it after keepcnt
 * unanswered probes: up to CLOSE_WAIT in NetBSD, up to CLOSING in FreeBSD.
 * NetBSD re-arms it on every segment received (tcp_input.ts); FreeBSD's
 * handler compares t_rcvtime and re-arms for the rest of the idle time. A
 * retransmit timeout clears the SACK scoreboard.
 */

import { type KernelGen, type KernelOp, NS_PER_MS, NS_PER_SEC } from "@smpnet/sim";
import type { callout_t } from "@smpnet/softint";
import {
  callout_ack,
  callout_active,
  callout_pending,
  callout_schedule,
  callout_stop,
} from "@smpnet/softint";
import { ETIMEDOUT, SO_KEEPALIVE, SS_CANTRCVMORE } from "./socketvar.js";
import {
  TCPS_CLOSE_WAIT,
  TCPS_CLOSING,
  TCPS_ESTABLISHED,
  TCPS_FIN_WAIT_2,
  TCPS_HAVEESTABLISHED,
  TCPS_TIME_WAIT,
  TH_ACK,
} from "./tcp_fsm.js";
import { tcp_output } from "./tcp_output.js";
import { tcp_free_sackholes } from "./tcp_sack.js";
import { seq_add } from "./tcp_seq.js";
import { tcp_close, tcp_drop, tcp_respond } from "./tcp_subr.js";
import type { SysctlPreset, TcpSysctlValues } from "./tcp_sysctl.js";
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
/** Retransmissions before the connection is dropped (TCP_MAXRXTSHIFT). */
export const TCP_MAXRXTSHIFT = 12;
/** The backoff multipliers by retransmission (each kernel's tcp_timer.c tcp_backoff). */
export const tcp_backoff: Readonly<Record<SysctlPreset, readonly number[]>> = {
  netbsd: [1, 2, 4, 8, 16, 32, 64, 64, 64, 64, 64, 64, 64],
  freebsd: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 512, 512, 512],
};
/*
 * The sysctls the timers read (tcp_sysctl.ts), in ns. Each reads its own
 * name: one keyed read shared by several names is a megamorphic lookup,
 * and the RTO's runs on every ACK.
 */
/** Maximum segment lifetime (net.inet.tcp.msl): TIME_WAIT lasts twice it. */
export function tcp_msl(tp: tcpcb): number {
  return tp.t_socket.stack.sysctl["net.inet.tcp.msl"] * NS_PER_MS;
}
/** The retransmit timeout's floor (net.inet.tcp.rexmit_min: TCPTV_MIN). */
export function tcp_rexmit_min(tp: tcpcb): number {
  return tp.t_socket.stack.sysctl["net.inet.tcp.rexmit_min"] * NS_PER_MS;
}
/** Added to every computed timeout (net.inet.tcp.rexmit_slop: FreeBSD's TCPTV_CPU_VAR; NetBSD 0). */
export function tcp_rexmit_slop(tp: tcpcb): number {
  return tp.t_socket.stack.sysctl["net.inet.tcp.rexmit_slop"] * NS_PER_MS;
}

/** TP_MAXIDLE (FreeBSD tcp_timer.h; NetBSD's t_maxidle): keepcnt probes' worth of keepintvl. */
export function TP_MAXIDLE(tp: tcpcb): number {
  return tp.t_keepcnt * tp.t_keepintvl;
}

/**
 * The 2MSL timer of a connection that enters FIN_WAIT_2 with its socket
 * closed (FreeBSD tcp_usrclosed and tcp_do_segment: finwait2_timeout with
 * fast_finwait2_recycle, else TP_MAXIDLE; NetBSD always t_maxidle).
 */
export function tcp_finwait2_timer(tp: tcpcb): number {
  const sysctl = tp.t_socket.stack.sysctl;
  return sysctl["net.inet.tcp.fast_finwait2_recycle"] !== 0
    ? sysctl["net.inet.tcp.finwait2_timeout"] * NS_PER_MS
    : TP_MAXIDLE(tp);
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

/** The clock tick (`ticks`) at `ns`: the kernels compare idle times in whole ticks. */
function tick(tp: tcpcb, ns: number): number {
  return Math.floor((ns * tp.t_socket.stack.hz) / NS_PER_SEC);
}

/** TCPT_RANGESET: `v` clamped to [lo, hi]. */
export function TCPT_RANGESET(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

// The timer macros are plain calls, as callout_schedule and callout_stop
// are: on every segment and ACK they cost no generator.
export function TCP_TIMER_ARM(tp: tcpcb, which: number, ns: number): KernelOp<void> {
  return callout_schedule(tp.t_timer[which]!, ticks(tp, ns));
}

export function TCP_TIMER_DISARM(tp: tcpcb, which: number): KernelOp<boolean> {
  return callout_stop(tp.t_timer[which]!);
}

export function TCP_TIMER_ISARMED(tp: tcpcb, which: number): boolean {
  return callout_pending(tp.t_timer[which]!);
}

/** TCP_SET_DELACK: the delayed-ACK callout, due in net.inet.tcp.delacktime. */
export function TCP_SET_DELACK(tp: tcpcb): KernelOp<void> {
  const ns = tp.t_socket.stack.sysctl["net.inet.tcp.delacktime"] * NS_PER_MS;
  return callout_schedule(tp.t_delack_ch, ticks(tp, ns));
}

/**
 * TCP_REXMTVAL: RFC 6298's RTO, srtt + max(G, 4 rttvar), never below
 * rexmit_min (t_rttmin) before it is backed off, as both kernels floor it
 * (FreeBSD's macro, NetBSD's tcp_timer_rexmt). Before any sample rttvar is a
 * quarter of rexmit_initial (tcp_newtcpcb), so this is rexmit_initial.
 */
export function TCP_REXMTVAL(tp: tcpcb): number {
  const G = NS_PER_SEC / tp.t_socket.stack.hz;
  return Math.max(tcp_rexmit_min(tp), tp.t_srtt + Math.max(G, 4 * tp.t_rttvar));
}

/**
 * tcp_setpersist: arms the persist timer, backed off like the RTO, between
 * TCPTV_PERSMIN and TCPTV_PERSMAX. Its base is each kernel's
 * `((t_srtt >> 2) + t_rttvar) >> n` on its fixed-point srtt (x32) and rttvar
 * (x16): NetBSD's (n = 3) is srtt + 2 rttvar, at least t_rttmin; FreeBSD's
 * (n = 1) is 4 srtt + 8 rttvar. TCPT_RANGESET adds rexmit_slop (NetBSD's is 0).
 */
export function* tcp_setpersist(tp: tcpcb): KernelGen {
  const preset = tp.t_socket.stack.preset;
  const t =
    preset === "netbsd"
      ? Math.max(tcp_rexmit_min(tp), tp.t_srtt + 2 * tp.t_rttvar)
      : 4 * tp.t_srtt + 8 * tp.t_rttvar;
  const backoff = tcp_backoff[preset][tp.t_rxtshift]!;
  const ns = TCPT_RANGESET(t * backoff + tcp_rexmit_slop(tp), TCPTV_PERSMIN, TCPTV_PERSMAX);
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
  const preset = tp.t_socket.stack.preset;
  tp.t_rxtcur = TCPT_RANGESET(
    TCP_REXMTVAL(tp) * tcp_backoff[preset][tp.t_rxtshift]! + tcp_rexmit_slop(tp),
    tcp_rexmit_min(tp),
    TCPTV_REXMTMAX,
  );
  yield* TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
  // NetBSD: after a quarter of the retries the estimate is suspect, fall back on the
  // variance (FreeBSD only tells the route, in_losing)
  if (preset === "netbsd" && tp.t_rxtshift > TCP_MAXRXTSHIFT / 4) {
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

/*
 * Both kernels' tcp_timer_2msl: TIME_WAIT ends; a FIN_WAIT_2 connection
 * closes at once under fast_finwait2_recycle if it can receive no more
 * (FreeBSD), else when idle longer than TP_MAXIDLE in whole ticks, checked
 * again every keepintvl until then: a timer armed on entry finds exactly
 * TP_MAXIDLE and waits one keepintvl more.
 */
function* msl(tp: tcpcb): KernelGen {
  const so = tp.t_socket;
  so.stack.tcpstat.tcps_msltimeo++;
  const recycle =
    tp.t_state === TCPS_FIN_WAIT_2 &&
    so.stack.sysctl["net.inet.tcp.fast_finwait2_recycle"] !== 0 &&
    (so.so_state & SS_CANTRCVMORE) !== 0;
  if (
    tp.t_state !== TCPS_TIME_WAIT &&
    !recycle &&
    tick(tp, so.stack.sim.now) - tick(tp, tp.t_rcvtime) <= ticks(tp, TP_MAXIDLE(tp))
  ) {
    yield* TCP_TIMER_ARM(tp, TCPT_2MSL, tp.t_keepintvl);
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
  const freebsd = stack.preset === "freebsd";
  // idle time in whole ticks, as both kernels count it
  const idle = tick(tp, stack.sim.now) - tick(tp, tp.t_rcvtime);
  // FreeBSD does not re-arm the timer per segment: a segment came since it
  // was set, so wait out the rest of the idle time (before counting a timeout)
  if (freebsd && TCPS_HAVEESTABLISHED(tp.t_state) && idle < ticks(tp, tp.t_keepidle)) {
    yield* TCP_TIMER_ARM(tp, TCPT_KEEP, tp.t_keepidle - (idle * NS_PER_SEC) / stack.hz);
    return;
  }
  st.tcps_keeptimeo++;
  if (tp.t_state < TCPS_ESTABLISHED) {
    st.tcps_keepdrops++;
    yield* tcp_drop(tp, ETIMEDOUT);
    return;
  }
  const keepalive =
    (so.so_options & SO_KEEPALIVE) !== 0 || stack.sysctl["net.inet.tcp.always_keepalive"] !== 0;
  if (!keepalive || tp.t_state > (freebsd ? TCPS_CLOSING : TCPS_CLOSE_WAIT)) {
    yield* TCP_TIMER_ARM(tp, TCPT_KEEP, tp.t_keepidle);
    return;
  }
  if (idle >= ticks(tp, tp.t_keepidle + TP_MAXIDLE(tp))) {
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

/**
 * tcp_xmit_timer: an RTT sample of `rtt` ns into the estimate (RFC 6298
 * 2.2-2.3: srtt and rttvar with gains 1/8 and 1/4) and the RTO from it
 * (in NetBSD's tcp_input.c; here beside the RTO it sets).
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
