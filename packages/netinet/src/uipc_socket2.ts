/*
 * Socket-buffer operations, after NetBSD sys/kern/uipc_socket2.c: space
 * (sbspace), appending a datagram record (sbappendaddr) or stream data
 * (sbappendstream), dropping the first record (sbdroprecord) or the first
 * bytes of a stream (sbdrop), sleeping for data or space (sbwait) and
 * waking the sleepers (sowakeup); and the connection-state changes a
 * protocol reports (soisconnecting, soisconnected, soisdisconnected,
 * socantsendmore, socantrcvmore) with sonewconn for a listening socket;
 * sbreserve sets a buffer's size (SO_SNDBUF, SO_RCVBUF, autosizing). Callers hold what the policy's lock points give; an
 * append or drop that finds another LWP inside the same buffer panics, as
 * NetBSD's KASSERT(solocked(so)) would on a kernel with the lock missing.
 */

import { ksleep } from "@smpnet/core";
import {
  after,
  curlwp,
  done,
  type KernelGen,
  type KernelOp,
  type Lwp,
  paid,
  SimError,
  wakeup,
  work,
} from "@smpnet/sim";
import { FREEBSD_MSIZE, MCLBYTES, MSIZE } from "./constants.js";
import { m_adj, m_freem_list, type mbuf } from "./mbuf.js";
import {
  SS_CANTRCVMORE,
  SS_CANTSENDMORE,
  SS_ISCONNECTED,
  SS_ISCONNECTING,
  SS_ISDISCONNECTING,
  type sockbuf,
  socket,
} from "./socketvar.js";

/** sbspace: bytes the buffer may still take. */
export function sbspace(sb: sockbuf): number {
  return sb.sb_hiwat - sb.sb_cc;
}

/**
 * sbreserve: sets the buffer's high-water mark to `cc` bytes, or refuses
 * (false, nothing changed) when `cc` is 0 or above sb_max_adj, the part of
 * kern.ipc.maxsockbuf left for data once each cluster's mbuf is counted
 * (sb_max * MCLBYTES / (MSIZE + MCLBYTES), uipc_socket2.c in NetBSD,
 * uipc_sockbuf.c in FreeBSD, each with its own MSIZE). The per-user
 * RLIMIT_SBSIZE is not modelled.
 */
export function sbreserve(sb: sockbuf, cc: number): boolean {
  const stack = sb.so.stack;
  const sb_max = stack.sysctl["kern.ipc.maxsockbuf"];
  const msize = stack.preset === "freebsd" ? FREEBSD_MSIZE : MSIZE;
  if (cc <= 0 || cc > Math.floor((sb_max * MCLBYTES) / (msize + MCLBYTES))) return false;
  sb.sb_hiwat = cc;
  return true;
}

/**
 * Marks the current LWP inside `sb` for `cycles` of work; a second LWP
 * inside at once panics. Plain unless the work must go through the loop.
 */
function sb_modify(sb: sockbuf, what: string, cycles: number): KernelOp<void> {
  const l = curlwp();
  const other = sb.inside;
  if (other !== null && other !== l) {
    throw new SimError(
      `panic: ${what}: ${l} on ${l.cpu} entered ${sb.name} while ${other} on ${other.cpu} is inside; ` +
        "the policy leaves this socket buffer unprotected (KASSERT(solocked(so)))",
    );
  }
  sb.inside = l;
  const o = work(cycles);
  return paid(o) ? sb_modified(sb, what, l) : after(o, sb_modified, sb, what, l);
}

function sb_modified(sb: sockbuf, what: string, l: Lwp): KernelOp<void> {
  if (sb.inside !== l) {
    throw new SimError(
      `panic: ${what}: ${sb.name} was entered by ${sb.inside} while ${l} was inside; ` +
        "the policy leaves this socket buffer unprotected (KASSERT(solocked(so)))",
    );
  }
  sb.inside = null;
  return done(undefined);
}

/** sbappendaddr: `m` as a record at the tail; false (nothing appended) if it does not fit. */
export function* sbappendaddr(sb: sockbuf, m: mbuf): KernelGen<boolean> {
  if (m.len > sbspace(sb)) return false;
  yield* sb_modify(sb, "sbappendaddr", sb.so.stack.costs.sockbufCycles);
  m.m_nextpkt = null;
  if (sb.sb_lastrecord === null) sb.sb_mb = m;
  else sb.sb_lastrecord.m_nextpkt = m;
  sb.sb_lastrecord = m;
  sb.sb_cc += m.len;
  return true;
}

/** sbdroprecord's first half: unlinks the first record and returns it to the caller. */
export function* sbtakerecord(sb: sockbuf): KernelGen<mbuf | null> {
  const m = sb.sb_mb;
  if (m === null) return null;
  yield* sb_modify(sb, "sbdroprecord", sb.so.stack.costs.sockbufCycles);
  sb.sb_mb = m.m_nextpkt;
  if (sb.sb_mb === null) sb.sb_lastrecord = null;
  m.m_nextpkt = null;
  sb.sb_cc -= m.len;
  return m;
}

/**
 * sbwait: sleeps until the buffer changes, with the system call's hold on
 * the socket given up meanwhile (cv_wait with so_lock as the interlock).
 * `ready` is tested again after the hold is dropped and before sleeping, in
 * one instant, so a wakeup between the two is not lost.
 */
export function* sbwait(sb: sockbuf, ready: () => boolean): KernelGen {
  const so = sb.so;
  const locks = so.stack.locks;
  yield* locks.so_syscall.exit(so);
  if (!ready()) {
    sb.waiters++;
    yield* ksleep(sb);
    sb.waiters--;
  }
  yield* locks.so_syscall.enter(so);
}

/**
 * sowakeup: wakes whoever sleeps on the buffer, and its selectors
 * (selnotify). Plain: on most packets nobody sleeps or selects.
 */
export function sowakeup(sb: sockbuf): KernelOp<void> {
  if (sb.waiters > 0) {
    const o = wakeup(sb);
    if (!paid(o)) return after(o, selnotify, sb);
  }
  return selnotify(sb);
}

function selnotify(sb: sockbuf): KernelOp<void> {
  return sb.sel.size > 0 ? selwakeup(sb) : done(undefined);
}

function* selwakeup(sb: sockbuf): KernelGen {
  for (const token of sb.sel) yield* wakeup(token);
}

/** sorwakeup: data arrived. */
export function sorwakeup(so: socket): KernelOp<void> {
  return sowakeup(so.so_rcv);
}

/** sowwakeup: space freed. */
export function sowwakeup(so: socket): KernelOp<void> {
  return sowakeup(so.so_snd);
}

/**
 * sbappendstream: stream data at the tail. The protocol has checked the
 * window; a stream's mbufs stay separate records here so each keeps its
 * sequence number (th_seq), which soreceive reports.
 */
export function sbappendstream(sb: sockbuf, m: mbuf): KernelOp<void> {
  const o = sb_modify(sb, "sbappendstream", sb.so.stack.costs.sockbufCycles);
  return paid(o) ? sbappendstream_tail(sb, m) : after(o, sbappendstream_tail, sb, m);
}

function sbappendstream_tail(sb: sockbuf, m: mbuf): KernelOp<void> {
  m.m_nextpkt = null;
  if (sb.sb_lastrecord === null) sb.sb_mb = m;
  else sb.sb_lastrecord.m_nextpkt = m;
  sb.sb_lastrecord = m;
  sb.sb_cc += m.len;
  return done(undefined);
}

/**
 * sbdrop: drops the first `len` bytes of a stream buffer, freeing the
 * mbufs wholly dropped; a record cut in two keeps its tail, its th_seq
 * moved past what was dropped. With `ranges`, pushes the sequence number
 * and length of each piece dropped (what soreceive copied out).
 */
export function sbdrop(sb: sockbuf, len: number, ranges: number[] | null = null): KernelOp<void> {
  if (len > sb.sb_cc) {
    throw new SimError(`sbdrop: ${len} bytes from ${sb.name}, which holds ${sb.sb_cc}`);
  }
  const o = sb_modify(sb, "sbdrop", sb.so.stack.costs.sockbufCycles);
  return paid(o) ? sbdrop_records(sb, len, ranges) : after(o, sbdrop_records, sb, len, ranges);
}

function sbdrop_records(sb: sockbuf, len: number, ranges: number[] | null): KernelOp<void> {
  sb.sb_cc -= len;
  let freed: mbuf | null = null;
  let left = len;
  while (left > 0) {
    const m = sb.sb_mb!;
    const take = Math.min(m.len, left);
    ranges?.push(m.th_seq, take);
    left -= take;
    if (take < m.len) {
      m_adj(m, take);
      m.th_seq = (m.th_seq + take) >>> 0;
      break;
    }
    sb.sb_mb = m.m_nextpkt;
    m.m_nextpkt = freed;
    freed = m;
  }
  if (sb.sb_mb === null) sb.sb_lastrecord = null;
  return m_freem_list(sb.so.stack.mbufs, freed);
}

/** sbflush: drops everything the buffer holds. */
export function* sbflush(sb: sockbuf): KernelGen {
  if (sb.sb_cc > 0) yield* sbdrop(sb, sb.sb_cc);
}

/**
 * sowait: sleeps on so_cv until `ready`, with the system call's hold on the
 * socket given up meanwhile (cv_wait(&so->so_cv, so->so_lock)); connect and
 * accept wait here. `ready` is tested in the same instant as the sleep.
 */
export function* sowait(so: socket, ready: () => boolean): KernelGen {
  const locks = so.stack.locks;
  yield* locks.so_syscall.exit(so);
  if (!ready()) {
    so.so_cvwaiters++;
    yield* ksleep(so);
    so.so_cvwaiters--;
  }
  yield* locks.so_syscall.enter(so);
}

function* so_cv_broadcast(so: socket): KernelGen {
  if (so.so_cvwaiters > 0) yield* wakeup(so);
}

export function soisconnecting(so: socket): void {
  so.so_state &= ~(SS_ISCONNECTED | SS_ISDISCONNECTING);
  so.so_state |= SS_ISCONNECTING;
}

/**
 * soisconnected: the connection is up. A connection on a listening
 * socket's incomplete queue moves to its complete queue and wakes accept.
 */
export function* soisconnected(so: socket): KernelGen {
  so.so_state &= ~(SS_ISCONNECTING | SS_ISDISCONNECTING);
  so.so_state |= SS_ISCONNECTED;
  const head = so.so_head;
  if (head !== null) {
    const i = head.so_q0.indexOf(so);
    if (i >= 0) {
      head.so_q0.splice(i, 1);
      head.so_q.push(so);
      yield* sorwakeup(head);
      yield* so_cv_broadcast(head);
      return;
    }
  }
  yield* so_cv_broadcast(so);
  yield* sorwakeup(so);
  yield* sowwakeup(so);
}

/** soisdisconnecting: we sent our FIN; no more sending. */
export function* soisdisconnecting(so: socket): KernelGen {
  so.so_state &= ~SS_ISCONNECTING;
  so.so_state |= SS_ISDISCONNECTING | SS_CANTRCVMORE | SS_CANTSENDMORE;
  yield* so_cv_broadcast(so);
  yield* sowwakeup(so);
  yield* sorwakeup(so);
}

/** soisdisconnected: the connection is gone; wakes everyone waiting on the socket. */
export function* soisdisconnected(so: socket): KernelGen {
  so.so_state &= ~(SS_ISCONNECTING | SS_ISCONNECTED | SS_ISDISCONNECTING);
  so.so_state |= SS_CANTRCVMORE | SS_CANTSENDMORE;
  yield* so_cv_broadcast(so);
  yield* sowwakeup(so);
  yield* sorwakeup(so);
}

/** socantsendmore: the user shut the sending side. */
export function* socantsendmore(so: socket): KernelGen {
  so.so_state |= SS_CANTSENDMORE;
  yield* sowwakeup(so);
}

/** socantrcvmore: the peer's FIN arrived; a read past the data returns 0. */
export function* socantrcvmore(so: socket): KernelGen {
  so.so_state |= SS_CANTRCVMORE;
  yield* sorwakeup(so);
}

/**
 * sonewconn: a socket for a connection arriving on the listening `head`,
 * on its incomplete queue, with the head's buffer sizes; null when the
 * queues are full (more than 3/2 of the backlog, as uipc_socket2.c).
 */
export function* sonewconn(head: socket): KernelGen<socket | null> {
  const qlen = head.so_q0.length + head.so_q.length;
  if (qlen > (3 * head.so_qlimit) / 2) return null;
  const stack = head.stack;
  const so = new socket(
    stack,
    head.so_type,
    head.so_proto,
    stack.nextSocketId++,
    head.so_snd.sb_hiwat,
    head.so_rcv.sb_hiwat,
  );
  so.so_head = head;
  head.so_q0.push(so);
  yield* so.so_proto.pr_attach(so);
  return so;
}

/** soqremque: takes `so` off its listener's queues (an embryonic connection that died). */
export function soqremque(so: socket): void {
  const head = so.so_head;
  if (head === null) return;
  for (const q of [head.so_q0, head.so_q]) {
    const i = q.indexOf(so);
    if (i >= 0) q.splice(i, 1);
  }
  so.so_head = null;
}
