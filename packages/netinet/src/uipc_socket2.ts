/*
 * Socket-buffer operations, after NetBSD sys/kern/uipc_socket2.c: space
 * (sbspace), appending a datagram record (sbappendaddr), dropping the first
 * record (sbdroprecord), sleeping for data or space (sbwait) and waking the
 * sleepers (sowakeup). Callers hold what the policy's lock points give; an
 * append or drop that finds another LWP inside the same buffer panics, as
 * NetBSD's KASSERT(solocked(so)) would on a kernel with the lock missing.
 */

import { ksleep } from "@smpnet/core";
import { curlwp, type KernelGen, SimError, wakeup, work } from "@smpnet/sim";
import type { mbuf } from "./mbuf.js";
import type { sockbuf, socket } from "./socketvar.js";

/** sbspace: bytes the buffer may still take. */
export function sbspace(sb: sockbuf): number {
  return sb.sb_hiwat - sb.sb_cc;
}

/** Marks the current LWP inside `sb` for `cycles` of work; a second LWP inside at once panics. */
function* sb_modify(sb: sockbuf, what: string, cycles: number): KernelGen {
  const l = curlwp();
  const other = sb.inside;
  if (other !== null && other !== l) {
    throw new SimError(
      `panic: ${what}: ${l} on ${l.cpu} entered ${sb.name} while ${other} on ${other.cpu} is inside; ` +
        "the policy leaves this socket buffer unprotected (KASSERT(solocked(so)))",
    );
  }
  sb.inside = l;
  yield* work(cycles);
  if (sb.inside !== l) {
    throw new SimError(
      `panic: ${what}: ${sb.name} was entered by ${sb.inside} while ${l} was inside; ` +
        "the policy leaves this socket buffer unprotected (KASSERT(solocked(so)))",
    );
  }
  sb.inside = null;
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

/** sowakeup: wakes whoever sleeps on the buffer, and its selectors (selnotify). */
export function* sowakeup(sb: sockbuf): KernelGen {
  if (sb.waiters > 0) yield* wakeup(sb);
  if (sb.sel.size > 0) for (const token of sb.sel) yield* wakeup(token);
}

/** sorwakeup: data arrived. */
export function* sorwakeup(so: socket): KernelGen {
  yield* sowakeup(so.so_rcv);
}

/** sowwakeup: space freed. */
export function* sowwakeup(so: socket): KernelGen {
  yield* sowakeup(so.so_snd);
}
