/*
 * The reassembly queue, after the tcp_reass of NetBSD
 * sys/netinet/tcp_input.c (FreeBSD gives it a file, tcp_reass.c): an
 * out-of-order segment waits in tp->segq, sorted by sequence number and
 * trimmed against its neighbours so each byte is queued once; when rcv_nxt
 * reaches the head, the contiguous run goes to so_rcv and the FIN with it.
 *
 * Each entry keeps its arrival stamp, so SACK can report the newest block
 * first (NetBSD's timeq). The queue is bounded by the receive window.
 */

import { after, curcpu, type KernelGen, type KernelOp, paid } from "@smpnet/sim";
import { m_adj, m_freem, type mbuf } from "./mbuf.js";
import type { socket } from "./socketvar.js";
import type { NetStack } from "./stack.js";
import { TCPS_ESTABLISHED, TH_FIN } from "./tcp_fsm.js";
import type { tcpseg } from "./tcp_input_seg.js";
import { SEQ_LEQ, seq_add, seq_sub } from "./tcp_seq.js";
import type { tcpcb } from "./tcp_var.js";
import { sbappendstream, sorwakeup } from "./uipc_socket2.js";

/** Appends in-order data to so_rcv and wakes the reader. */
export function tcp_deliver(stack: NetStack, so: socket, m: mbuf): KernelOp<void> {
  const id = m.id;
  const bytes = m.len;
  const o = sbappendstream(so.so_rcv, m);
  return paid(o)
    ? tcp_delivered(stack, so, id, bytes)
    : after(o, tcp_delivered, stack, so, id, bytes);
}

function tcp_delivered(stack: NetStack, so: socket, id: number, bytes: number): KernelOp<void> {
  const p = stack.probes.deliver;
  if (p.on) p.emit(curcpu(), id, bytes);
  return sorwakeup(so);
}

/**
 * tcp_reass: queues an out-of-order segment, trimmed against its
 * neighbours, then delivers what has become contiguous with rcv_nxt.
 * Returns TH_FIN if the FIN was reached in sequence, else 0.
 */
export function* tcp_reass(stack: NetStack, tp: tcpcb, seg: tcpseg | null): KernelGen<number> {
  if (seg !== null && (seg.tlen > 0 || seg.tiflags & TH_FIN))
    yield* tcp_reass_insert(stack, tp, seg);
  if (tp.t_state < TCPS_ESTABLISHED) return 0;
  const q = tp.segq;
  let flags = 0;
  while (q.length > 0 && q[0]!.seq === tp.rcv_nxt) {
    const e = q.shift()!;
    tp.rcv_nxt = seq_add(tp.rcv_nxt, e.len);
    if (e.len > 0) yield* tcp_deliver(stack, tp.t_socket, e.m);
    else yield* m_freem(stack.mbufs, e.m);
    if (e.fin) {
      flags = TH_FIN;
      break;
    }
  }
  return flags;
}

/** Puts a segment into the reassembly queue, without the bytes its neighbours already hold. */
function* tcp_reass_insert(stack: NetStack, tp: tcpcb, seg: tcpseg): KernelGen {
  const st = stack.tcpstat;
  const q = tp.segq;
  const m = seg.m;
  let seq = seg.seq;
  let len = seg.tlen;
  let fin = (seg.tiflags & TH_FIN) !== 0;
  let i = 0;
  while (i < q.length && SEQ_LEQ(q[i]!.seq, seq)) i++;
  const prev = q[i - 1];
  if (prev !== undefined) {
    const over = seq_sub(seq_add(prev.seq, prev.len), seq);
    if (over >= len) {
      // nothing new but perhaps the FIN right after the queued bytes
      if (fin && over === len) prev.fin = true;
      st.tcps_rcvduppack++;
      st.tcps_rcvdupbyte += len;
      yield* m_freem(stack.mbufs, m);
      return;
    }
    if (over > 0) {
      m_adj(m, over);
      seq = seq_add(seq, over);
      len -= over;
    }
  }
  // later segments: drop those this one covers, cut the one it overlaps
  while (i < q.length) {
    const next = q[i]!;
    const over = seq_sub(seq_add(seq, len), next.seq);
    if (over <= 0) break;
    if (over >= next.len) {
      fin ||= next.fin;
      q.splice(i, 1);
      yield* m_freem(stack.mbufs, next.m);
      continue;
    }
    m_adj(next.m, over);
    next.seq = seq_add(next.seq, over);
    next.m.th_seq = next.seq;
    next.len -= over;
    break;
  }
  m.th_seq = seq;
  st.tcps_rcvoopack++;
  st.tcps_rcvoobyte += len;
  q.splice(i, 0, { seq, len, fin, m, arrival: ++tp.t_segqarrivals });
}
