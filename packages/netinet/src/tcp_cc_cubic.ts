/*
 * CUBIC congestion control (RFC 9438), as a tcp_congctl module after
 * FreeBSD's sys/netinet/cc/cc_cubic.c (NetBSD's tcp_congctl.c has a CUBIC
 * of its own, chosen for the whole host). After a congestion event the
 * window is cut to beta 0.7 of W_max and grows along
 * W_cubic(t) = C (t - K)^3 + W_max, concave up to the old maximum and convex
 * beyond it, K = cbrt((W_max - cwnd_epoch) / C); fast convergence lowers
 * W_max when the window stopped short of the previous one; where Reno
 * would grow faster (W_est, the Reno-friendly region) the window follows
 * Reno. Slow start, recovery and timeouts are NewReno's (tcp_congctl.ts).
 *
 * Windows are in bytes and the curve in segments of t_segsz, as the RFC;
 * t is simulated time since the congestion avoidance epoch began (the
 * first ACK after the cut), and the target looks one smoothed RTT ahead.
 * Left out: HyStart++ (FreeBSD's newer slow start), cwnd validation.
 */

import { NS_PER_SEC } from "@smpnet/sim";
import {
  TCP_MAXWIN,
  type tcp_congctl,
  tcp_newreno_fast_retransmit,
  tcp_newreno_fast_retransmit_newack,
  tcp_reno_newack,
  tcp_reno_slow_retransmit,
} from "./tcp_congctl.js";
import { seq_sub } from "./tcp_seq.js";
import type { tcpcb } from "./tcp_var.js";

/** RFC 9438 4.1: C, in segments per second cubed. */
export const CUBIC_C = 0.4;
/** RFC 9438 4.6: the multiplicative decrease. */
export const CUBIC_BETA = 0.7;
/** RFC 9438 4.3: the Reno-friendly additive increase, 3 (1 - beta) / (1 + beta). */
export const CUBIC_ALPHA = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);

/** W_cubic(t) in bytes, t in ns since the epoch began (RFC 9438 eq. 1). */
export function cubic_window(tp: tcpcb, t: number): number {
  const d = (t - tp.snd_cubic_k) / NS_PER_SEC;
  return CUBIC_C * d * d * d * tp.t_segsz + tp.snd_cubic_wmax;
}

/** cong_exp: W_max with fast convergence (RFC 9438 4.7), ssthresh beta of the window, a new epoch. */
function tcp_cubic_congestion_exp(tp: tcpcb): void {
  const win = Math.min(tp.snd_wnd, tp.snd_cwnd);
  tp.snd_cubic_wmax = win < tp.snd_cubic_wmax ? (win * (1 + CUBIC_BETA)) / 2 : win;
  tp.snd_ssthresh = Math.max(Math.floor(win * CUBIC_BETA), 2 * tp.t_segsz);
  tp.snd_cubic_ctime = -1;
}

/** newack: slow start below ssthresh, else the cubic curve or the Reno-friendly estimate. */
function tcp_cubic_newack(tp: tcpcb, th_ack: number): void {
  if (tp.t_partialacks >= 0) return;
  if (tp.snd_cwnd < tp.snd_ssthresh) {
    tcp_reno_newack(tp, th_ack);
    return;
  }
  const now = tp.t_socket.stack.sim.now;
  const cwnd = tp.snd_cwnd;
  const segsz = tp.t_segsz;
  if (tp.snd_cubic_ctime < 0) {
    // the epoch begins (RFC 9438 4.2): never below the window we have
    tp.snd_cubic_ctime = now;
    if (tp.snd_cubic_wmax < cwnd) tp.snd_cubic_wmax = cwnd;
    const k = Math.cbrt((tp.snd_cubic_wmax - cwnd) / segsz / CUBIC_C);
    tp.snd_cubic_k = k * NS_PER_SEC;
    tp.snd_cubic_west = cwnd;
    tp.snd_cubic_frac = 0;
  }
  const acked = seq_sub(th_ack, tp.snd_una);
  const t = now - tp.snd_cubic_ctime;
  tp.snd_cubic_west += (CUBIC_ALPHA * acked * segsz) / cwnd;
  let next: number;
  if (cubic_window(tp, t) < tp.snd_cubic_west) {
    // Reno-friendly region (RFC 9438 4.3)
    next = Math.max(cwnd, Math.floor(tp.snd_cubic_west));
  } else {
    // concave or convex region (4.4, 4.5): toward the curve one RTT ahead, at most 1.5 cwnd
    const target = Math.min(Math.max(cubic_window(tp, t + tp.t_srtt), cwnd), 1.5 * cwnd);
    tp.snd_cubic_frac += ((target - cwnd) * acked) / cwnd;
    const whole = Math.floor(tp.snd_cubic_frac);
    tp.snd_cubic_frac -= whole;
    next = cwnd + whole;
  }
  tp.snd_cwnd = Math.min(next, TCP_MAXWIN << tp.snd_scale);
}

/** CUBIC (FreeBSD's cc_cubic, Linux's default). */
export const tcp_cubic_ctl: tcp_congctl = {
  name: "cubic",
  fast_retransmit: tcp_newreno_fast_retransmit,
  slow_retransmit: tcp_reno_slow_retransmit,
  fast_retransmit_newack: tcp_newreno_fast_retransmit_newack,
  newack: tcp_cubic_newack,
  cong_exp: tcp_cubic_congestion_exp,
};
