/*
 * NewReno congestion control, after NetBSD sys/netinet/tcp_congctl.c
 * (tcp_newreno_*, built on tcp_reno_*): slow start and congestion avoidance
 * with appropriate byte counting (RFC 3465 as NetBSD's tcp_do_abc and
 * tcp_abc_aggressive, both on by default), fast retransmit on the third
 * duplicate ACK (RFC 5681 3.2) and NewReno's recovery with partial ACKs
 * (RFC 6582). A module is a struct tcp_congctl of hooks, as NetBSD's
 * (fast_retransmit, slow_retransmit, fast_retransmit_newack, newack,
 * cong_exp); tcp_congctl_select picks one by name for a socket
 * (TCP_CONGESTION, FreeBSD's per-socket choice: NetBSD picks one for the
 * whole host with net.inet.tcp.congctl.selected). CUBIC is in
 * tcp_cc_cubic.ts.
 *
 * With SACK (tcp_sack.ts), fast retransmit starts a SACK recovery episode
 * as NetBSD's tcp_reno_do_fast_retransmit: cwnd one segment, sack_newdata
 * at snd_nxt, and tcp_output sends from the scoreboard; partial ACKs go to
 * tcp_sack_newack.
 *
 * As NetBSD's tcp_input, duplicate ACKs after the third do not inflate the
 * window while NewReno recovers (t_partialacks >= 0 stops the count there),
 * where RFC 6582 3.2 step 4 would add a segment for each.
 */

import { done, type KernelGen, type KernelOp } from "@smpnet/sim";
import { tcp_output } from "./tcp_output.js";
import { tcp_sack_newack } from "./tcp_sack.js";
import { SEQ_GT, SEQ_LT, seq_sub } from "./tcp_seq.js";
import type { SysctlPreset } from "./tcp_sysctl.js";
import { TCP_TIMER_DISARM, TCPT_REXMT } from "./tcp_timer.js";
import { TF_SACK_PERMIT, type tcpcb } from "./tcp_var.js";

/** A congestion control module (struct tcp_congctl, tcp_congctl.h). */
export interface tcp_congctl {
  readonly name: string;
  /** The third duplicate ACK; false: treat it as an ordinary duplicate. */
  fast_retransmit(tp: tcpcb, th_ack: number): KernelGen<boolean>;
  /** A retransmit timeout. */
  slow_retransmit(tp: tcpcb): void;
  /**
   * An ACK of new data, before snd_una moves: recovery's partial and full ACKs
   * (a plain function: outside recovery, on every ACK, it only clears t_dupacks).
   */
  fast_retransmit_newack(tp: tcpcb, th_ack: number): KernelOp<void>;
  /** An ACK of new data outside recovery: the window opens. */
  newack(tp: tcpcb, th_ack: number): void;
  /** A congestion event: ssthresh (and the module's state). */
  cong_exp(tp: tcpcb): void;
}

/** Duplicate ACKs that trigger fast retransmit (tcp_input.c tcprexmtthresh). */
export const tcprexmtthresh = 3;
/** ABC: count acknowledged bytes, not ACKs (tcp_input.c tcp_do_abc = 1). */
export const tcp_do_abc = true;
/** ABC's L: two segments per ACK in slow start when nothing was retransmitted (tcp_abc_aggressive = 1). */
export const tcp_abc_aggressive = true;
/** The largest window without window scaling (tcp.h TCP_MAXWIN). */
export const TCP_MAXWIN = 65_535;

/**
 * NetBSD's cap on the initial window in bytes by segments 0..10 (tcp_subr.c
 * tcp_init_win_max: up to 5 it scales to reach 3 * 1460 at 4, RFC 3390;
 * then n * 1460).
 */
const tcp_init_win_max: readonly number[] = [1, 1, 2, 2, 3, 5, 6, 7, 8, 9, 10].map(
  (n) => n * 1_460,
);

/**
 * The initial window of `n` segments of `segsz` bytes, never below two
 * segments: NetBSD's TCP_INITIAL_WINDOW (tcp_var.h) caps it with its table;
 * FreeBSD's tcp_compute_initwnd (tcp_input.c, initcwnd_segments set) with
 * n * 1460 (RFC 6928 2).
 */
export function TCP_INITIAL_WINDOW(n: number, segsz: number, preset: SysctlPreset): number {
  const cap = preset === "freebsd" ? n * 1_460 : tcp_init_win_max[n]!;
  return Math.min(n * segsz, Math.max(2 * segsz, cap));
}

/** ssthresh after a loss: half the flight, at least two segments (RFC 5681 eq. 4). */
function halfFlight(tp: tcpcb): number {
  const win = Math.floor(Math.min(tp.snd_wnd, tp.snd_cwnd) / 2 / tp.t_segsz);
  return Math.max(win, 2) * tp.t_segsz;
}

/** tcp_reno_congestion_exp: ssthresh is half the flight (RFC 5681 eq. 4). */
export function tcp_reno_congestion_exp(tp: tcpcb): void {
  tp.snd_ssthresh = halfFlight(tp);
}

/**
 * fast_retransmit: the third duplicate ACK. Not when the ACK is below
 * snd_high (a retransmit timeout's flight: RFC 6582 section 4.1). Returns
 * false when the ACK should be treated as an ordinary duplicate.
 */
export function* tcp_newreno_fast_retransmit(tp: tcpcb, th_ack: number): KernelGen<boolean> {
  if (SEQ_LT(th_ack, tp.snd_high)) {
    tp.t_dupacks = 0;
    return false;
  }
  tp.t_congctl.cong_exp(tp);
  yield* tcp_reno_do_fast_retransmit(tp, th_ack);
  return true;
}

/**
 * tcp_reno_do_fast_retransmit: resend the first unacknowledged segment with
 * the window kludged to one segment, then inflate it by the duplicates
 * (RFC 5681 3.2); with SACK, a recovery episode driven by the scoreboard.
 */
export function* tcp_reno_do_fast_retransmit(tp: tcpcb, th_ack: number): KernelGen {
  const onxt = tp.snd_nxt;
  tp.snd_recover = tp.snd_max;
  tp.t_partialacks = 0;
  yield* TCP_TIMER_DISARM(tp, TCPT_REXMT);
  tp.t_rtttime = -1;
  const st = tp.t_socket.stack.tcpstat;
  st.tcps_fastretrans++;
  if (tp.t_flags & TF_SACK_PERMIT) {
    st.tcps_sack_recovery_episode++;
    tp.t_dupacks = tcprexmtthresh;
    tp.sack_newdata = tp.snd_nxt;
    tp.snd_cwnd = tp.t_segsz;
    yield* tcp_output(tp);
    return;
  }
  tp.snd_nxt = th_ack;
  tp.snd_cwnd = tp.t_segsz;
  yield* tcp_output(tp);
  // the duplicates limited transmit already spent on new data do not inflate it again
  tp.snd_cwnd = tp.snd_ssthresh + tp.t_segsz * (tp.t_dupacks - tp.snd_limited);
  if (SEQ_GT(onxt, tp.snd_nxt)) tp.snd_nxt = onxt;
}

/**
 * fast_retransmit_newack: an ACK of new data. In recovery, a partial ACK
 * retransmits the next hole and deflates the window by what it acked; a
 * full ACK ends recovery with cwnd at most ssthresh. Called before snd_una
 * moves.
 */
export function tcp_newreno_fast_retransmit_newack(tp: tcpcb, th_ack: number): KernelOp<void> {
  // outside recovery (with or without SACK) only the duplicate count resets
  if (tp.t_partialacks < 0) {
    tp.t_dupacks = 0;
    return done(undefined);
  }
  if (tp.t_flags & TF_SACK_PERMIT) return tcp_sack_newack(tp, th_ack);
  return tcp_newreno_recovery_newack(tp, th_ack);
}

function* tcp_newreno_recovery_newack(tp: tcpcb, th_ack: number): KernelGen {
  if (SEQ_LT(th_ack, tp.snd_recover)) {
    tp.t_socket.stack.tcpstat.tcps_newrenorxmt++;
    const onxt = tp.snd_nxt;
    const ocwnd = tp.snd_cwnd;
    const acked = seq_sub(th_ack, tp.snd_una);
    // every partial ACK restarts the retransmit timer (NetBSD's choice: RFC 6582's
    // Slow-but-Steady; tcp_output re-arms it for the retransmission)
    tp.t_partialacks++;
    yield* TCP_TIMER_DISARM(tp, TCPT_REXMT);
    tp.t_rtttime = -1;
    tp.snd_nxt = th_ack;
    // one segment past what this ACK covers: the next hole
    tp.snd_cwnd = tp.t_segsz + acked;
    yield* tcp_output(tp);
    tp.snd_cwnd = ocwnd;
    if (SEQ_GT(onxt, tp.snd_nxt)) tp.snd_nxt = onxt;
    // deflate by what was acked, less the segment just sent (RFC 6582 3.2 step 3)
    tp.snd_cwnd -= acked - tp.t_segsz;
    return;
  }
  tcp_recovery_exit(tp, th_ack);
}

/** A full ACK: leave recovery with no more than ssthresh, and no burst (RFC 6582 3.2 step 3, option 2). */
export function tcp_recovery_exit(tp: tcpcb, th_ack: number): void {
  const flight = seq_sub(tp.snd_max, th_ack);
  tp.snd_cwnd = flight < tp.snd_ssthresh ? flight + tp.t_segsz : tp.snd_ssthresh;
  tp.t_partialacks = -1;
  tp.t_dupacks = 0;
  tp.t_bytes_acked = 0;
}

/** newack: opens the window for an ACK of new data, outside recovery (tcp_reno_newack). */
export function tcp_reno_newack(tp: tcpcb, th_ack: number): void {
  if (tp.t_partialacks >= 0) return;
  const cw = tp.snd_cwnd;
  let incr = tp.t_segsz;
  if (tcp_do_abc) {
    const acked = seq_sub(th_ack, tp.snd_una);
    if (cw >= tp.snd_ssthresh) {
      // congestion avoidance: one segment per window of bytes acked
      tp.t_bytes_acked += acked;
      if (tp.t_bytes_acked < cw) return;
      tp.t_bytes_acked -= cw;
    } else {
      const limit = !tcp_abc_aggressive || tp.snd_nxt !== tp.snd_max ? tp.t_segsz : 2 * tp.t_segsz;
      incr = Math.min(acked, limit);
    }
  } else if (cw >= tp.snd_ssthresh) {
    incr = Math.floor((incr * incr) / cw);
  }
  tp.snd_cwnd = Math.min(cw + incr, TCP_MAXWIN << tp.snd_scale);
}

/** slow_retransmit: a retransmit timeout; back to one segment and slow start (RFC 5681 3.1). */
export function tcp_reno_slow_retransmit(tp: tcpcb): void {
  tp.t_congctl.cong_exp(tp);
  tp.snd_cwnd = tp.t_segsz;
  tp.t_partialacks = -1;
  tp.t_dupacks = 0;
  tp.t_bytes_acked = 0;
}

/** NewReno (tcp_newreno_ctl), NetBSD's default. */
export const tcp_newreno_ctl: tcp_congctl = {
  name: "newreno",
  fast_retransmit: tcp_newreno_fast_retransmit,
  slow_retransmit: tcp_reno_slow_retransmit,
  fast_retransmit_newack: tcp_newreno_fast_retransmit_newack,
  newack: tcp_reno_newack,
  cong_exp: tcp_reno_congestion_exp,
};
