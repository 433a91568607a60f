/*
 * Reader/writer locks, after NetBSD kern/kern_rwlock.c v1.66. The word
 * holds either a count of readers (times RW_READ_INCR) or the writing
 * owner's l_lid with RW_WRITE_LOCKED, plus RW_HAS_WAITERS while the
 * turnstile has waiters and RW_WRITE_WANTED while a writer is among them.
 *
 * rw_vector_enter: a reader may enter unless the lock is write-held or a
 * writer wants it, so readers cannot starve a writer; a writer needs the
 * word empty. A waiter spins only while a writing owner runs on a CPU, is
 * not spinning for KERNEL_LOCK and no one waits yet (rw_oncpu): once
 * RW_HAS_WAITERS is set newcomers go straight to the turnstile. Acquiring
 * issues membar_acquire (RW_MEMBAR_ACQUIRE: a `sync` on MIPS, nothing on
 * x86 where atomics are barriers).
 *
 * rw_vector_exit, when the lock would become free with waiters: a writer
 * leaving hands the lock to every waiting reader at once (they are counted
 * into the word, RW_WRITE_WANTED kept if writers wait); with no reader
 * waiting, a writer leaving or the last reader leaving wakes every writer
 * to race for it (RW_WRITE_WANTED set to hold new readers off); the last
 * reader leaving while readers also wait hands the lock to the first
 * writer. A woken reader always holds the lock; a woken writer holds it
 * only when handed it, else it races again.
 *
 * Left out: rw_downgrade, rw_tryupgrade, the per-caller l_rwcallsite.
 */

import {
  atomic_cas,
  atomic_swap,
  curlwp,
  done,
  type Host,
  type KernelGen,
  type KernelOp,
  LSONPROC,
  type Lwp,
  nanotime,
  paid,
  paidValue,
  SimError,
  spin_until,
  work,
} from "@smpnet/sim";
import { backoff, RW_FASTPATH_CYCLES } from "./constants.js";
import { caller } from "./kfn.js";
import { Lock } from "./lock.js";
import { membar_acquire, membar_release } from "./membar.js";
import { cpuLockState } from "./state.js";
import {
  TS_FIRST,
  TS_READER_Q,
  TS_WAITERS,
  TS_WRITER_Q,
  turnstile_block,
  turnstile_enter,
  turnstile_exit,
  turnstile_queued,
  turnstile_wakeup,
} from "./turnstile.js";

export const RW_READER = 0;
export const RW_WRITER = 1;
export type krw_t = typeof RW_READER | typeof RW_WRITER;

const RW_HAS_WAITERS = 1;
const RW_WRITE_WANTED = 2;
const RW_WRITE_LOCKED = 4;
const RW_READ_INCR = 8;
const RW_OWNER_SHIFT = 3;
/** RW_THREAD: the owner or the reader count. */
const RW_THREAD = ~(RW_READ_INCR - 1);

export class krwlock_t extends Lock {
  /** LWPs holding it as readers: for lockdebug and rw_lock_held. */
  readonly readers = new Set<Lwp>();

  constructor(host: Host, name: string) {
    super(host, name, "rwlock");
  }

  owner(): Lwp | null {
    return wordOwner(this.host, this.line.value as number);
  }
}

/** The writing owner named by a lock word, or null (free or read-held). */
function wordOwner(host: Host, w: number): Lwp | null {
  if ((w & RW_WRITE_LOCKED) === 0) return null;
  return host.lwps[(w >> RW_OWNER_SHIFT) - 1] ?? null;
}

export function rw_init(host: Host, name: string): krwlock_t {
  return new krwlock_t(host, name);
}

export function rw_destroy(rw: krwlock_t): void {
  rw.core.debug?.destroying(rw);
  rw.destroyed = true;
}

/** True when the current LWP holds `rw` (as writer, or as one of the readers). */
export function rw_lock_held(rw: krwlock_t): boolean {
  const l = curlwp();
  return rw.owner() === l || rw.readers.has(l);
}

/**
 * rw_oncpu: worth spinning on the word `w`: a writer holds it, nobody waits
 * yet, and the writer runs on a CPU without waiting there for KERNEL_LOCK.
 */
function rw_oncpu(rw: krwlock_t, w: number): boolean {
  if ((w & (RW_WRITE_LOCKED | RW_HAS_WAITERS)) !== RW_WRITE_LOCKED) return false;
  const l = wordOwner(rw.host, w);
  return (
    l !== null &&
    l.state === LSONPROC &&
    l.cpu.curlwp === l &&
    cpuLockState(l.cpu).biglockWanted.value !== l
  );
}

// The fast paths of rw_enter and rw_exit are plain functions, as mutex_enter's
// are: one CAS on a word that lets them through; any operation that was not
// carried out in place, or a word that makes them wait, hands the rest to a
// generator (rw_vector_enter, rw_vector_exit).

/** rw_enter: take `rw` as RW_READER or RW_WRITER. */
export function rw_enter(rw: krwlock_t, op: krw_t): KernelOp<void> {
  if (op !== RW_READER && op !== RW_WRITER) {
    throw new SimError(`rw_enter ${rw.name}: op must be RW_READER or RW_WRITER, got ${String(op)}`);
  }
  const l = curlwp();
  rw.core.debug?.acquiring(rw, l, false);
  let o: KernelOp<unknown> = work(RW_FASTPATH_CYCLES);
  if (!paid(o)) return rw_enter_slow(rw, op, l, o, 0, 0);
  const owner = rw.line.value as number;
  if ((owner & rw_needwait(op)) !== 0) return rw_vector_enter(rw, op, l, owner);
  o = atomic_cas(rw.line, owner, (owner + rw_incr(op, l)) & ~RW_WRITE_WANTED);
  if (!paid(o)) return rw_enter_slow(rw, op, l, o, 1, owner);
  const next = paidValue() as number;
  if (next !== owner) return rw_vector_enter(rw, op, l, next);
  o = membar_acquire();
  if (!paid(o)) return rw_enter_slow(rw, op, l, o, 2, owner);
  rw_entered(rw, op, l);
  return done(undefined);
}

/** What taking `rw` for `op` adds to the word. */
function rw_incr(op: krw_t, l: Lwp): number {
  return op === RW_READER ? RW_READ_INCR : (l.lid << RW_OWNER_SHIFT) | RW_WRITE_LOCKED;
}

/** The bits of the word that make `op` wait. */
function rw_needwait(op: krw_t): number {
  return op === RW_READER ? RW_WRITE_LOCKED | RW_WRITE_WANTED : RW_WRITE_LOCKED | RW_THREAD;
}

/** rw_enter from its fast path's `pending` (step 0: the work, 1: the CAS on `owner`, 2: the barrier) on. */
function* rw_enter_slow(
  rw: krwlock_t,
  op: krw_t,
  l: Lwp,
  pending: KernelOp<unknown>,
  step: number,
  owner: number,
): KernelGen {
  const v = yield* pending;
  if (step === 0) return yield* rw_vector_enter(rw, op, l, rw.line.value as number);
  if (step === 1) {
    if (v !== owner) return yield* rw_vector_enter(rw, op, l, v as number);
    yield* membar_acquire();
  }
  rw_entered(rw, op, l);
}

function rw_entered(rw: krwlock_t, op: krw_t, l: Lwp): void {
  rw.core.debug?.unblocked(l);
  if (op === RW_READER) rw.readers.add(l);
  rw.core.debug?.acquired(rw, l);
}

/** rw_vector_enter: from the word `owner` on, race, spin or block until `rw` is taken. */
function* rw_vector_enter(rw: krwlock_t, op: krw_t, l: Lwp, owner: number): KernelGen {
  const st = rw.core;
  const line = rw.line;
  const reader = op === RW_READER;
  const incr = rw_incr(op, l);
  const setWait = reader ? RW_HAS_WAITERS : RW_HAS_WAITERS | RW_WRITE_WANTED;
  const needWait = rw_needwait(op);
  const queue = reader ? TS_READER_Q : TS_WRITER_Q;
  for (;;) {
    if ((owner & needWait) === 0) {
      const next = (yield* atomic_cas(line, owner, (owner + incr) & ~RW_WRITE_WANTED)) as number;
      if (next === owner) {
        yield* membar_acquire();
        break;
      }
      owner = next;
      continue;
    }
    st.debug?.blocking(rw, l);
    if (rw_oncpu(rw, owner)) {
      const ownerCpu = wordOwner(rw.host, owner)!.cpu;
      const ns = yield* spin_until(
        [line, ownerCpu.curlwpLine, cpuLockState(ownerCpu).biglockWanted],
        () => !rw_oncpu(rw, line.value as number),
        backoff(rw),
      );
      st.stat?.record("RW lock spin", rw.name, caller(), ns);
      owner = line.value as number;
      if ((owner & needWait) === 0) continue;
    }
    // turnstile_lookup: look again, join the queue, then publish the waiters bits
    owner = line.value as number;
    if ((owner & needWait) === 0 || rw_oncpu(rw, owner)) continue;
    turnstile_enter(rw, queue);
    const next = (yield* atomic_cas(line, owner, owner | setWait)) as number;
    if (next !== owner) {
      if (!turnstile_queued(rw) && (reader || handedTo(rw, l))) break;
      turnstile_exit(rw);
      owner = line.value as number;
      continue;
    }
    const t0 = nanotime();
    yield* turnstile_block(rw);
    st.stat?.record("RW lock sleep", rw.name, caller(), nanotime() - t0);
    // woken: a reader was counted in; a writer was handed the lock or races again
    if (reader || handedTo(rw, l)) break;
    owner = line.value as number;
  }
  rw_entered(rw, op, l);
}

function handedTo(rw: krwlock_t, l: Lwp): boolean {
  return wordOwner(rw.host, rw.line.value as number) === l;
}

/** rw_exit: release `rw`, handing it on to waiters as above. */
export function rw_exit(rw: krwlock_t): KernelOp<void> {
  const l = curlwp();
  const st = rw.core;
  const writer = rw.owner() === l;
  const holds = writer || rw.readers.has(l);
  if (st.debug && !st.debug.releasing(rw, l, holds)) return done(undefined);
  if (!holds) throw new SimError(`rw_exit: ${l} releases ${rw.name}, which it does not hold`);
  if (!writer) rw.readers.delete(l);
  const decr = writer ? (l.lid << RW_OWNER_SHIFT) | RW_WRITE_LOCKED : RW_READ_INCR;
  let o: KernelOp<unknown> = work(RW_FASTPATH_CYCLES);
  if (!paid(o)) return rw_exit_slow(rw, writer, decr, o, 0, 0);
  o = membar_release();
  if (!paid(o)) return rw_exit_slow(rw, writer, decr, o, 1, 0);
  const owner = rw.line.value as number;
  const newown = owner - decr;
  // the lock would become free with waiters: the turnstile decides
  if ((newown & (RW_THREAD | RW_HAS_WAITERS)) === RW_HAS_WAITERS) {
    return rw_vector_exit(rw, writer, decr, owner);
  }
  o = atomic_cas(rw.line, owner, newown);
  if (!paid(o)) return rw_exit_slow(rw, writer, decr, o, 2, owner);
  const next = paidValue() as number;
  return next === owner ? done(undefined) : rw_vector_exit(rw, writer, decr, next);
}

/** rw_exit from its fast path's `pending` (step 0: the work, 1: the barrier, 2: the CAS on `owner`) on. */
function* rw_exit_slow(
  rw: krwlock_t,
  writer: boolean,
  decr: number,
  pending: KernelOp<unknown>,
  step: number,
  owner: number,
): KernelGen {
  const v = yield* pending;
  if (step === 0) yield* membar_release();
  if (step === 2) {
    if (v === owner) return;
    owner = v as number;
  } else {
    owner = rw.line.value as number;
  }
  yield* rw_vector_exit(rw, writer, decr, owner);
}

/** rw_vector_exit: from the word `owner` on, release `rw`, waking its turnstile if it has waiters. */
function* rw_vector_exit(rw: krwlock_t, writer: boolean, decr: number, owner: number): KernelGen {
  const line = rw.line;
  for (;;) {
    const newown = owner - decr;
    if ((newown & (RW_THREAD | RW_HAS_WAITERS)) === RW_HAS_WAITERS) break;
    const next = (yield* atomic_cas(line, owner, newown)) as number;
    if (next === owner) return;
    owner = next;
  }
  const wcnt = TS_WAITERS(rw, TS_WRITER_Q);
  const rcnt = TS_WAITERS(rw, TS_READER_Q);
  if (wcnt + rcnt === 0) {
    throw new SimError(`rw_exit ${rw.name}: RW_HAS_WAITERS is set with nobody waiting (a bug)`);
  }
  if (rcnt === 0 || !writer) {
    if (rcnt !== 0) {
      // the last reader out, readers waiting too: the first writer gets it
      const nl = TS_FIRST(rw, TS_WRITER_Q)!;
      let newown = (nl.lid << RW_OWNER_SHIFT) | RW_WRITE_LOCKED | RW_HAS_WAITERS;
      if (wcnt > 1) newown |= RW_WRITE_WANTED;
      yield* atomic_swap(line, newown);
      yield* turnstile_wakeup(rw, TS_WRITER_Q, 1, nl);
    } else {
      // only writers wait: wake them all to fight it out, readers held off
      yield* atomic_swap(line, RW_WRITE_WANTED);
      yield* turnstile_wakeup(rw, TS_WRITER_Q, wcnt, null);
    }
  } else {
    // a writer out, readers waiting: they all get it
    let newown = rcnt * RW_READ_INCR;
    if (wcnt !== 0) newown |= RW_HAS_WAITERS | RW_WRITE_WANTED;
    yield* atomic_swap(line, newown);
    yield* turnstile_wakeup(rw, TS_READER_Q, rcnt, null);
  }
}
