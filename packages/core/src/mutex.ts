/*
 * Mutexes, after NetBSD kern/kern_mutex.c.
 *
 * Adaptive mutexes (MUTEX_DEFAULT at IPL_NONE or a soft level): the lock
 * word holds the owner (its l_lid, times two) and a waiters bit. mutex_enter
 * tries one compare-and-swap; on failure (mutex_vector_enter) it spins, with
 * SPINLOCK_BACKOFF, while the owner is running on a CPU and is not itself
 * spinning for KERNEL_LOCK (mutex_oncpu: ci_biglock_wanted), and blocks on
 * the mutex's turnstile otherwise, after setting the waiters bit; blocking
 * lends the waiter's priority to the owner (turnstile_block). mutex_exit
 * clears the word; if the waiters bit was set it wakes every waiter, which
 * race again, and takes back what was lent (turnstile_wakeup).
 *
 * Spin mutexes (MUTEX_DEFAULT or MUTEX_SPIN at a hard interrupt level): raise
 * the IPL to the mutex's level (the first one held on a CPU remembers the old
 * IPL, ci_mtx_oldspl), then spin on the lock word; mutex_spin_exit releases
 * and, with the last spin mutex of the CPU, restores the IPL. So an interrupt
 * at or below the level waits until then.
 *
 * Deciding to sleep and sleeping happen in one instant, with the lock word
 * re-read there: the turnstile interlock, without which a release between the
 * two would be lost.
 */

import {
  after,
  atomic_cas,
  curlwp,
  done,
  type Host,
  IPL_SOFTSERIAL,
  IPL_VM,
  type Ipl,
  type KernelGen,
  type KernelOp,
  LSONPROC,
  type Lwp,
  nanotime,
  paid,
  paidValue,
  SimError,
  spin_until,
  splraise,
  splx,
  store,
  work,
} from "@smpnet/sim";
import { backoff, MUTEX_FASTPATH_CYCLES } from "./constants.js";
import { caller } from "./kfn.js";
import { Lock } from "./lock.js";
import { membar_release } from "./membar.js";
import { cpuLockState, curcpuLockState } from "./state.js";
import {
  TS_WAITERS,
  TS_WRITER_Q,
  turnstile_block,
  turnstile_enter,
  turnstile_exit,
  turnstile_wakeup,
} from "./turnstile.js";

export const MUTEX_DEFAULT = 0;
export const MUTEX_SPIN = 1;
export type MutexType = typeof MUTEX_DEFAULT | typeof MUTEX_SPIN;

const WAITERS = 1;

export class kmutex_t extends Lock {
  /** Spin mutexes: who holds it (adaptive ones keep the owner in the word). */
  spinOwner: Lwp | null = null;

  constructor(
    host: Host,
    name: string,
    readonly ipl: Ipl,
    spin: boolean,
  ) {
    super(host, name, spin ? "spin" : "adaptive");
  }

  owner(): Lwp | null {
    if (this.kind === "spin") return this.spinOwner;
    const w = this.line.value as number;
    return w === 0 ? null : (this.host.lwps[(w >> 1) - 1] ?? null);
  }
}

/**
 * mutex_init: MUTEX_DEFAULT gives an adaptive mutex at IPL_NONE or a soft
 * level and a spin mutex at IPL_VM and above, as NetBSD decides.
 */
export function mutex_init(host: Host, name: string, type: MutexType, ipl: Ipl): kmutex_t {
  if (type !== MUTEX_DEFAULT && type !== MUTEX_SPIN) {
    throw new SimError(
      `mutex_init ${name}: type must be MUTEX_DEFAULT or MUTEX_SPIN, got ${String(type)}`,
    );
  }
  const spin = type === MUTEX_SPIN || ipl >= IPL_VM;
  if (spin && ipl <= IPL_SOFTSERIAL) {
    throw new SimError(`mutex_init ${name}: a spin mutex needs IPL_VM or above, got IPL ${ipl}`);
  }
  return new kmutex_t(host, name, ipl, spin);
}

export function mutex_destroy(mtx: kmutex_t): void {
  mtx.core.debug?.destroying(mtx);
  mtx.destroyed = true;
}

/** True when the current LWP holds `mtx` (mutex_owned). */
export function mutex_owned(mtx: kmutex_t): boolean {
  return mtx.owner() === curlwp();
}

// The fast paths of mutex_enter and mutex_exit are plain functions, as in C
// they are a few instructions before any call: each operation that was not
// carried out in place hands itself and the rest to the slow path (`step`
// says how far the fast path got), which `yield*` then runs.
export function mutex_enter(mtx: kmutex_t): KernelOp<void> {
  if (mtx.kind === "spin") return mutex_spin_enter(mtx);
  const l = curlwp();
  mtx.core.debug?.acquiring(mtx, l, false);
  let o: KernelOp<unknown> = work(MUTEX_FASTPATH_CYCLES);
  if (!paid(o)) return mutex_enter_slow(mtx, l, o, 0);
  o = atomic_cas(mtx.line, 0, l.lid * 2);
  if (!paid(o) || paidValue() !== 0) return mutex_enter_slow(mtx, l, o, 1);
  mtx.core.debug?.acquired(mtx, l);
  return done(undefined);
}

/** mutex_enter from its fast path's operation `pending` (step 0: the work, 1: the CAS) on. */
function* mutex_enter_slow(
  mtx: kmutex_t,
  l: Lwp,
  pending: KernelOp<unknown>,
  step: number,
): KernelGen {
  let old = yield* pending;
  if (step < 1) old = yield* atomic_cas(mtx.line, 0, l.lid * 2);
  if (old !== 0) yield* mutex_vector_enter(mtx, l);
  mtx.core.debug?.acquired(mtx, l);
}

/**
 * mutex_oncpu: the owner runs on a CPU and is not waiting there for
 * KERNEL_LOCK. Spinning on an owner that spins for the big lock could
 * deadlock against the big lock's holder, so its waiters block instead.
 */
function mutex_oncpu(owner: Lwp): boolean {
  return (
    owner.state === LSONPROC &&
    owner.cpu.curlwp === owner &&
    cpuLockState(owner.cpu).biglockWanted.value !== owner
  );
}

/** The contended path: spin while the owner runs, block while it does not. */
function* mutex_vector_enter(mtx: kmutex_t, l: Lwp): KernelGen {
  const line = mtx.line;
  const mine = l.lid * 2;
  const st = mtx.core;
  for (;;) {
    const w = line.value as number;
    if (w === 0) {
      if ((yield* atomic_cas(line, 0, mine)) === 0) break;
      continue;
    }
    const owner = mtx.host.lwps[(w >> 1) - 1]!;
    st.debug?.blocking(mtx, l);
    if (mutex_oncpu(owner)) {
      const ownerCpu = owner.cpu;
      const ns = yield* spin_until(
        [line, ownerCpu.curlwpLine, cpuLockState(ownerCpu).biglockWanted],
        () => line.value !== w || !mutex_oncpu(owner),
        backoff(mtx),
      );
      st.stat?.record("Adaptive mutex spin", mtx.name, caller(), ns);
      continue;
    }
    // turnstile_lookup: join the queue, then publish the waiters bit
    turnstile_enter(mtx, TS_WRITER_Q);
    if ((w & WAITERS) === 0 && (yield* atomic_cas(line, w, w | WAITERS)) !== w) {
      turnstile_exit(mtx);
      continue;
    }
    // a release since the word was read: race again instead of sleeping
    if (line.value !== (w | WAITERS) || mutex_oncpu(owner)) {
      turnstile_exit(mtx);
      continue;
    }
    const t0 = nanotime();
    yield* turnstile_block(mtx);
    st.stat?.record("Adaptive mutex sleep", mtx.name, caller(), nanotime() - t0);
  }
  st.debug?.unblocked(l);
}

/** mutex_tryenter: takes the mutex if it is free; never waits. A plain function, as mutex_enter. */
export function mutex_tryenter(mtx: kmutex_t): KernelOp<boolean> {
  const l = curlwp();
  if (mtx.kind === "spin") {
    const o = splraise(mtx.ipl);
    return paid(o)
      ? mutex_spin_tryenter(mtx, l, paidValue() as Ipl)
      : after(o, mutex_spin_tryenter, mtx, l);
  }
  mtx.core.debug?.acquiring(mtx, l, false);
  const o = work(MUTEX_FASTPATH_CYCLES);
  return paid(o) ? mutex_adaptive_tryenter(mtx, l) : after(o, mutex_adaptive_tryenter, mtx, l);
}

/** mutex_tryenter of a spin mutex, at its IPL (raised from `s`): one CAS. */
function mutex_spin_tryenter(mtx: kmutex_t, l: Lwp, s: Ipl): KernelOp<boolean> {
  const o = atomic_cas(mtx.line, 0, 1);
  return paid(o) ? spin_tried(mtx, l, s, paidValue()) : after(o, spin_tried, mtx, l, s);
}

function spin_tried(mtx: kmutex_t, l: Lwp, s: Ipl, old: unknown): KernelOp<boolean> {
  if (old === 0) {
    spinHeld(mtx, l, s);
    return done(true);
  }
  const o = splx(s);
  return paid(o) ? done(false) : after(o, done, false);
}

/** mutex_tryenter of an adaptive mutex, after its fast path's work: one CAS. */
function mutex_adaptive_tryenter(mtx: kmutex_t, l: Lwp): KernelOp<boolean> {
  const o = atomic_cas(mtx.line, 0, l.lid * 2);
  return paid(o) ? adaptive_tried(mtx, l, paidValue()) : after(o, adaptive_tried, mtx, l);
}

function adaptive_tried(mtx: kmutex_t, l: Lwp, old: unknown): KernelOp<boolean> {
  if (old !== 0) return done(false);
  mtx.core.debug?.acquired(mtx, l);
  return done(true);
}

export function mutex_exit(mtx: kmutex_t): KernelOp<void> {
  if (mtx.kind === "spin") return mutex_spin_exit(mtx);
  const l = curlwp();
  const st = mtx.core;
  const mine = l.lid * 2;
  const w = mtx.line.value as number;
  if (st.debug && !st.debug.releasing(mtx, l, w >> 1 === l.lid)) return done(undefined);
  if (w >> 1 !== l.lid) {
    throw new SimError(`mutex_exit: ${l} releases ${mtx.name}, which it does not hold`);
  }
  let o: KernelOp<unknown> = work(MUTEX_FASTPATH_CYCLES);
  if (!paid(o)) return mutex_exit_slow(mtx, mine, o, 0);
  o = membar_release();
  if (!paid(o)) return mutex_exit_slow(mtx, mine, o, 1);
  o = atomic_cas(mtx.line, mine, 0);
  if (!paid(o) || paidValue() !== mine) return mutex_exit_slow(mtx, mine, o, 2);
  return done(undefined);
}

/** mutex_exit from its fast path's operation `pending` (step 0: the work, 1: the barrier, 2: the CAS) on. */
function* mutex_exit_slow(
  mtx: kmutex_t,
  mine: number,
  pending: KernelOp<unknown>,
  step: number,
): KernelGen {
  let old = yield* pending;
  if (step < 1) yield* membar_release();
  if (step < 2) old = yield* atomic_cas(mtx.line, mine, 0);
  if (old === mine) return;
  // the waiters bit is set: release and wake the turnstile
  yield* store(mtx.line, 0);
  yield* turnstile_wakeup(mtx, TS_WRITER_Q, TS_WAITERS(mtx, TS_WRITER_Q), null);
}

export function mutex_spin_enter(mtx: kmutex_t): KernelOp<void> {
  const l = curlwp();
  mtx.core.debug?.acquiring(mtx, l, false);
  let o: KernelOp<unknown> = splraise(mtx.ipl);
  if (!paid(o)) return mutex_spin_enter_slow(mtx, l, o, 0, mtx.ipl);
  const s = paidValue() as Ipl;
  o = work(MUTEX_FASTPATH_CYCLES);
  if (!paid(o)) return mutex_spin_enter_slow(mtx, l, o, 1, s);
  o = atomic_cas(mtx.line, 0, 1);
  if (!paid(o) || paidValue() !== 0) return mutex_spin_enter_slow(mtx, l, o, 2, s);
  mtx.core.debug?.unblocked(l);
  spinHeld(mtx, l, s);
  return done(undefined);
}

/** mutex_spin_enter from `pending` (step 0: the splraise, 1: the work at IPL `s`, 2: the CAS) on. */
function* mutex_spin_enter_slow(
  mtx: kmutex_t,
  l: Lwp,
  pending: KernelOp<unknown>,
  step: number,
  s: Ipl,
): KernelGen {
  const st = mtx.core;
  let old = yield* pending;
  if (step === 0) {
    s = old as Ipl;
    yield* work(MUTEX_FASTPATH_CYCLES);
  }
  if (step < 2) old = yield* atomic_cas(mtx.line, 0, 1);
  while (old !== 0) {
    st.debug?.blocking(mtx, l);
    const ns = yield* spin_until([mtx.line], () => mtx.line.value === 0, backoff(mtx));
    st.stat?.record("Spin mutex spin", mtx.name, caller(), ns);
    old = yield* atomic_cas(mtx.line, 0, 1);
  }
  st.debug?.unblocked(l);
  spinHeld(mtx, l, s);
}

function spinHeld(mtx: kmutex_t, l: Lwp, s: Ipl): void {
  const cs = curcpuLockState(mtx.core);
  if (cs.spinHeld++ === 0) cs.oldspl = s;
  mtx.spinOwner = l;
  mtx.core.debug?.acquired(mtx, l);
}

export function mutex_spin_exit(mtx: kmutex_t): KernelOp<void> {
  const l = curlwp();
  const st = mtx.core;
  const holds = mtx.spinOwner === l;
  if (st.debug && !st.debug.releasing(mtx, l, holds)) return done(undefined);
  if (!holds)
    throw new SimError(`mutex_spin_exit: ${l} releases ${mtx.name}, which it does not hold`);
  mtx.spinOwner = null;
  let o: KernelOp<unknown> = membar_release();
  if (!paid(o)) return mutex_spin_exit_slow(mtx, o, 0);
  o = store(mtx.line, 0);
  if (!paid(o)) return mutex_spin_exit_slow(mtx, o, 1);
  const cs = curcpuLockState(mtx.core);
  // the last operation, if any, is the caller's to consume
  return --cs.spinHeld === 0 ? splx(cs.oldspl) : done(undefined);
}

/** mutex_spin_exit from `pending` (step 0: the barrier, 1: the store) on. */
function* mutex_spin_exit_slow(mtx: kmutex_t, pending: KernelOp<unknown>, step: number): KernelGen {
  yield* pending;
  if (step < 1) yield* store(mtx.line, 0);
  const cs = curcpuLockState(mtx.core);
  if (--cs.spinHeld === 0) yield* splx(cs.oldspl);
}
