/*
 * Selective acknowledgments (RFC 2018) and SACK-based loss recovery,
 * after NetBSD sys/netinet/tcp_sack.c (derived from FreeBSD's) and the
 * SACK paths of tcp_input.c, tcp_output.c and tcp_congctl.c.
 *
 * Receiver: each ACK carries up to three SACK blocks (four without
 * timestamps: what fits in 40 bytes of options), the reassembly queue's
 * contiguous runs, the one holding the most recently arrived segment
 * first (tcp_update_sack_list walks the queue in arrival order, timeq).
 *
 * Sender: the scoreboard is a list of holes (struct sackhole: start, end,
 * rxmit, the point up to which the hole was retransmitted) between
 * snd_una and rcv_lastsack, the end of the highest block seen
 * (tcp_sack_option); an ACK of new data trims it (tcp_del_sackholes) and a
 * retransmit timeout clears it. Recovery as NetBSD does it: fast
 * retransmit on the third duplicate ACK or when snd_fack runs three
 * segments past snd_una (TCP_FACK_FASTRECOV); tcp_output then sends from
 * the first hole not yet retransmitted (tcp_sack_output, RFC 6675's
 * NextSeg rule 1) while min(snd_wnd, snd_cwnd) exceeds the bytes
 * retransmitted in holes (sack_bytes_rxmt) plus the new data sent since
 * recovery began (snd_nxt - sack_newdata), the kernel's stand-in for RFC
 * 6675's pipe; a partial ACK opens cwnd to that sum plus one or two
 * segments (tcp_sack_newack); no hole is retransmitted twice before a
 * timeout, and after one tcp_sack_adjust moves snd_nxt over SACKed data.
 *
 * Where NetBSD differs from RFC 6675: no pipe counted from the scoreboard
 * (IsLost, the SACKed bytes), duplicate ACKs during recovery do not open
 * the window, and no rescue retransmission (FreeBSD has both). Left out:
 * D-SACK (RFC 2883).
 */

import type { KernelGen } from "@smpnet/sim";
import { tcp_recovery_exit, tcprexmtthresh } from "./tcp_congctl.js";
import { tcp_output } from "./tcp_output.js";
import { SEQ_GEQ, SEQ_GT, SEQ_LEQ, SEQ_LT, seq_add, seq_sub } from "./tcp_seq.js";
import { TCP_TIMER_DISARM, TCPT_REXMT } from "./tcp_timer.js";
import { TF_ACKNOW, TF_RCVD_TSTMP, TF_REQ_TSTMP, TF_SACK_PERMIT, type tcpcb } from "./tcp_var.js";

/** The most option bytes a TCP header holds (tcp.h MAX_TCPOPTLEN). */
const MAX_TCPOPTLEN = 40;
/** The SACK option's bytes for `n` blocks, with its two leading NOPs (tcp_var.h TCP_SACK_OPTLEN). */
export function TCP_SACK_OPTLEN(n: number): number {
  return n === 0 ? 0 : n * 8 + 4;
}

/** TCP_FACK_FASTRECOV: SACK shows data three segments past snd_una; recover without waiting for the third duplicate. */
export function TCP_FACK_FASTRECOV(tp: tcpcb): boolean {
  return (
    (tp.t_flags & TF_SACK_PERMIT) !== 0 &&
    SEQ_GT(tp.snd_fack, seq_add(tp.snd_una, tcprexmtthresh * tp.t_segsz))
  );
}

/**
 * tcp_sack_numblks and tcp_update_sack_list: the blocks an ACK carries
 * now, [left, right, ...], newest first; empty without SACK or a queue.
 */
export function tcp_sack_blocks(tp: tcpcb): number[] {
  const q = tp.segq;
  if ((tp.t_flags & TF_SACK_PERMIT) === 0 || q.length === 0) return [];
  // the queue's contiguous runs, each stamped with its newest segment
  const runs: { left: number; right: number; arrival: number }[] = [];
  for (const e of q) {
    if (e.len === 0) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.right === e.seq) {
      last.right = seq_add(e.seq, e.len);
      last.arrival = Math.max(last.arrival, e.arrival);
    } else {
      runs.push({ left: e.seq, right: seq_add(e.seq, e.len), arrival: e.arrival });
    }
  }
  runs.sort((a, b) => b.arrival - a.arrival);
  const ts = TF_REQ_TSTMP | TF_RCVD_TSTMP;
  const room = MAX_TCPOPTLEN - ((tp.t_flags & ts) === ts ? 12 : 0) - 4;
  const n = Math.min(runs.length, Math.floor(room / 8));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(runs[i]!.left, runs[i]!.right);
  return out;
}

/**
 * tcp_sack_option: folds an ACK's SACK blocks into the scoreboard. Blocks
 * below the ACK or beyond snd_max, or empty, are ignored; the rest, in
 * sequence order, shrink, split or remove holes, and a block beyond
 * rcv_lastsack opens a new hole before it.
 */
export function tcp_sack_option(tp: tcpcb, th_ack: number, sack: readonly number[]): void {
  if ((tp.t_flags & TF_SACK_PERMIT) === 0) return;
  tp.t_socket.stack.tcpstat.tcps_sack_rcv_blocks += sack.length / 2;
  const acked = SEQ_GT(th_ack, tp.snd_una) ? th_ack : tp.snd_una;
  const blocks: [number, number][] = [];
  for (let i = 0; i + 1 < sack.length; i += 2) {
    const left = sack[i]!;
    const right = sack[i + 1]!;
    if (SEQ_LEQ(right, acked) || SEQ_GEQ(left, tp.snd_max) || SEQ_GEQ(left, right)) continue;
    blocks.push([left, right]);
  }
  blocks.sort((a, b) => seq_sub(a[0], b[0]));
  const holes = tp.snd_holes;
  for (const [left, right] of blocks) {
    if (SEQ_GT(right, tp.snd_fack)) tp.snd_fack = right;
    if (holes.length === 0) {
      // the first hole: from the ACK to the block
      holes.push({ start: th_ack, end: left, rxmit: th_ack });
      tp.rcv_lastsack = right;
      continue;
    }
    for (let i = 0; i < holes.length; i++) {
      const h = holes[i]!;
      if (SEQ_LEQ(right, h.start)) break;
      if (SEQ_GEQ(left, h.end)) continue;
      if (SEQ_LEQ(left, h.start)) {
        if (SEQ_GEQ(right, h.end)) {
          // the whole hole arrived
          holes.splice(i--, 1);
          continue;
        }
        h.start = right;
        if (SEQ_LT(h.rxmit, h.start)) h.rxmit = h.start;
        break;
      }
      if (SEQ_GEQ(right, h.end)) {
        h.end = left;
        if (SEQ_GT(h.rxmit, h.end)) h.rxmit = h.end;
        continue;
      }
      // inside the hole: split it
      holes.splice(i + 1, 0, {
        start: right,
        end: h.end,
        rxmit: SEQ_GT(h.rxmit, right) ? h.rxmit : right,
      });
      h.end = left;
      if (SEQ_GT(h.rxmit, h.end)) h.rxmit = h.end;
      break;
    }
    if (SEQ_LT(tp.rcv_lastsack, left)) {
      // beyond everything SACKed so far: the bytes between are missing
      holes.push({ start: tp.rcv_lastsack, end: left, rxmit: tp.rcv_lastsack });
    }
    if (SEQ_LT(tp.rcv_lastsack, right)) tp.rcv_lastsack = right;
  }
}

/** tcp_del_sackholes: an ACK of new data removes or trims the holes below it; snd_fack never lags it. */
export function tcp_del_sackholes(tp: tcpcb, th_ack: number): void {
  const lastack = SEQ_GT(th_ack, tp.snd_una) ? th_ack : tp.snd_una;
  if (SEQ_GT(lastack, tp.snd_fack)) tp.snd_fack = lastack;
  const holes = tp.snd_holes;
  while (holes.length > 0) {
    const h = holes[0]!;
    if (SEQ_LEQ(h.end, lastack)) {
      holes.shift();
      continue;
    }
    if (SEQ_LT(h.start, lastack)) {
      h.start = lastack;
      if (SEQ_LT(h.rxmit, h.start)) h.rxmit = h.start;
    }
    break;
  }
}

/** tcp_free_sackholes: the scoreboard emptied (a retransmit timeout, the end of the connection). */
export function tcp_free_sackholes(tp: tcpcb): void {
  tp.snd_holes.length = 0;
  tp.snd_fack = tp.snd_una;
}

/** The bytes retransmitted from holes so far in this recovery (tcp_sack_output's sack_bytes_rexmt). */
export function tcp_sack_bytes_rxmt(tp: tcpcb): number {
  let n = 0;
  for (const h of tp.snd_holes) n += seq_sub(h.rxmit, h.start);
  return n;
}

/** tcp_sack_output: the first hole with bytes not yet retransmitted (RFC 6675 NextSeg rule 1), or null. */
export function tcp_sack_output(tp: tcpcb): { start: number; end: number; rxmit: number } | null {
  for (const h of tp.snd_holes) {
    if (SEQ_LT(h.rxmit, h.end) && SEQ_GEQ(h.rxmit, tp.snd_una)) return h;
  }
  return null;
}

/** tcp_sack_adjust: after a timeout, snd_nxt skips data the receiver has SACKed. */
export function tcp_sack_adjust(tp: tcpcb): void {
  const holes = tp.snd_holes;
  if (holes.length === 0 || SEQ_GEQ(tp.snd_nxt, tp.rcv_lastsack)) return;
  for (let i = 0; i < holes.length; i++) {
    const h = holes[i]!;
    if (SEQ_LT(tp.snd_nxt, h.end)) return;
    const next = holes[i + 1];
    if (next === undefined) break;
    if (SEQ_LT(tp.snd_nxt, next.start)) {
      tp.snd_nxt = next.start;
      return;
    }
  }
  tp.snd_nxt = tp.rcv_lastsack;
}

/**
 * tcp_sack_newack: an ACK of new data with SACK in recovery (outside it the
 * caller only ends the duplicate count): a partial ACK lets one or two
 * segments more out than recovery has sent; a full ACK ends recovery with
 * cwnd at most ssthresh (no burst).
 */
export function* tcp_sack_newack(tp: tcpcb, th_ack: number): KernelGen {
  if (SEQ_LT(th_ack, tp.snd_recover)) {
    tp.t_partialacks++;
    yield* TCP_TIMER_DISARM(tp, TCPT_REXMT);
    tp.t_rtttime = -1;
    const segs = seq_sub(th_ack, tp.snd_una) / tp.t_segsz > 2 ? 2 : 1;
    tp.snd_cwnd =
      tcp_sack_bytes_rxmt(tp) + seq_sub(tp.snd_nxt, tp.sack_newdata) + segs * tp.t_segsz;
    tp.t_flags |= TF_ACKNOW;
    yield* tcp_output(tp);
    return;
  }
  tcp_recovery_exit(tp, th_ack);
  if (SEQ_GT(th_ack, tp.snd_fack)) tp.snd_fack = th_ack;
}
