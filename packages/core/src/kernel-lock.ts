/*
 * KERNEL_LOCK: the giant lock, after NetBSD kern/kern_lock.c v1.182
 * (_kernel_lock, _kernel_unlock). One per host, a spin lock whose word
 * lives on a cache line.
 *
 * Holds are counted per CPU (ci_biglock_count) as well as per LWP
 * (l_blcnt): a CPU whose count is non-zero owns the word, and whatever runs
 * there next takes the lock again at once. So a non-MPSAFE softint or
 * callout that interrupts the holder on its CPU runs straight away, its
 * holds stacked on the holder's. An LWP gives up its own holds when it
 * sleeps and takes as many back when it runs again (ksleep here,
 * sleepq_block there).
 *
 * A CPU that must wait publishes the waiting LWP in ci_biglock_wanted, so
 * that adaptive mutexes and rwlocks do not spin on an owner that is itself
 * spinning here (mutex_oncpu, rw_oncpu), and tests the word once per
 * SPINLOCK_BACKOFF_HOOK, without the mutexes' exponential backoff. lockstat
 * sees one "Kernel lock spin" per acquisition that had to wait, with the
 * whole wait, and none for a nested wait on a CPU already waiting (an
 * interrupt that spins over a spinning LWP: owant non-NULL).
 *
 * The word and the CPU's count change together at splvm, as in the C: a
 * softint let in between would find the word taken by the LWP it pinned.
 * Kernel preemption is disabled from the first attempt until the release,
 * so a holder is never switched out while its CPU owns the word; interrupts
 * still come in. Left out: LOCKDEBUG's spinout IPI.
 */

import {
  after,
  atomic_cas,
  atomic_swap,
  curcpu,
  curlwp,
  done,
  type Host,
  HostSlot,
  IPL_VM,
  type Ipl,
  type KernelGen,
  type KernelOp,
  kpreempt_disable,
  kpreempt_enable,
  type Lwp,
  load,
  nanotime,
  paid,
  paidValue,
  SimError,
  sleep,
  spin_until,
  splraise,
  splx,
  store,
  work,
} from "@smpnet/sim";
import { kernelLockSpin, MUTEX_FASTPATH_CYCLES } from "./constants.js";
import { caller } from "./kfn.js";
import { Lock } from "./lock.js";
import { membar_acquire, membar_release } from "./membar.js";
import { type CpuLockState, coreState, curcpuLockState } from "./state.js";

class KernelLock extends Lock {
  holder: Lwp | null = null;

  constructor(host: Host) {
    super(host, "kernel_lock", "kernel_lock");
  }

  owner(): Lwp | null {
    return this.holder;
  }
}

const kernelLocks = new HostSlot<KernelLock>();

/** The host's kernel_lock. */
export function kernel_lock(host: Host): Lock {
  let k = kernelLocks.get(host);
  if (k === undefined) {
    k = new KernelLock(host);
    kernelLocks.set(host, k);
  }
  return k;
}

/** Times the current LWP holds the kernel lock (l_blcnt). */
export function kernel_lock_held(): number {
  const l = curlwp();
  return l.blcnt;
}

/** KERNEL_LOCK(n): takes the giant lock n more times (_kernel_lock). */
// Plain on its fast path, as mutex_enter is (sim's ops.ts, "Plain kernel
// helpers"): a recursive or uncontended take costs no generator.
export function KERNEL_LOCK(n = 1): KernelOp<void> {
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new SimError(`KERNEL_LOCK: n must be a positive integer, got ${n}`);
  }
  const l = curlwp();
  const kl = kernel_lock(l.host) as KernelLock;
  const o = splraise(IPL_VM);
  return paid(o)
    ? kernel_lock_splvm(kl, l, n, paidValue() as Ipl)
    : after(o, kernel_lock_splvm, kl, l, n);
}

/** KERNEL_LOCK at splvm (`s` the IPL to restore). */
function kernel_lock_splvm(kl: KernelLock, l: Lwp, n: number, s: Ipl): KernelOp<void> {
  const st = kl.core;
  const ci = curcpuLockState(kl.core);
  if (ci.biglockCount !== 0) {
    // this CPU owns the word: the holder is this LWP or one it interrupted
    ci.biglockCount += n;
    l.blcnt += n;
    return splx(s);
  }
  st.debug?.acquiring(kl, l, true);
  // no preemption from the attempt on: a holder switched out while its CPU
  // owns the word would leave every other CPU spinning on it
  kpreempt_disable();
  const o = work(MUTEX_FASTPATH_CYCLES);
  return paid(o) ? kernel_lock_try(kl, ci, l, n, s) : after(o, kernel_lock_try, kl, ci, l, n, s);
}

function kernel_lock_try(
  kl: KernelLock,
  ci: CpuLockState,
  l: Lwp,
  n: number,
  s: Ipl,
): KernelOp<void> {
  const o = atomic_cas(kl.line, 0, 1);
  if (!paid(o)) return kernel_lock_slow(kl, ci, l, n, s, o, 0);
  const old = paidValue();
  if (old !== 0) return kernel_lock_slow(kl, ci, l, n, s, null, old);
  held(kl, ci, l, n);
  return splx(s);
}

/** KERNEL_LOCK from its first CAS on (`cas` pending, or its result `old`): spins while it is taken. */
function* kernel_lock_slow(
  kl: KernelLock,
  ci: CpuLockState,
  l: Lwp,
  n: number,
  s: Ipl,
  cas: KernelOp<unknown> | null,
  old: unknown,
): KernelGen {
  if (cas !== null) old = yield* cas;
  if (old === 0) {
    held(kl, ci, l, n);
    yield* splx(s);
    return;
  }
  const st = kl.core;
  // mutex_oncpu and rw_oncpu look here: do not spin on an owner that spins
  const owant = (yield* load(ci.biglockWanted)) as Lwp | null;
  yield* store(ci.biglockWanted, l);
  st.debug?.blocking(kl, l);
  const t0 = nanotime();
  do {
    yield* splx(s);
    yield* spin_until([kl.line], () => kl.line.value === 0, kernelLockSpin(kl));
    s = yield* splraise(IPL_VM);
  } while ((yield* atomic_cas(kl.line, 0, 1)) !== 0);
  held(kl, ci, l, n);
  if (owant === null) st.stat?.record("Kernel lock spin", kl.name, caller(), nanotime() - t0);
  yield* splx(s);
  yield* atomic_swap(ci.biglockWanted, owant);
  st.debug?.unblocked(l);
  // membar_enter where atomics are no barrier: a sync on MIPS, nothing on x86
  yield* membar_acquire();
}

function held(kl: KernelLock, ci: CpuLockState, l: Lwp, n: number): void {
  ci.biglockCount = n;
  kl.holder = l;
  l.blcnt = n;
  kl.core.debug?.acquired(kl, l);
}

/** KERNEL_UNLOCK_ONE: drops one hold. */
export function KERNEL_UNLOCK_ONE(): KernelOp<void> {
  return kernel_unlock(1);
}

/** KERNEL_UNLOCK_ALL: drops every hold of this LWP; returns how many there were. */
export function* KERNEL_UNLOCK_ALL(): KernelGen<number> {
  const n = kernel_lock_held();
  if (n > 0) yield* kernel_unlock(n);
  return n;
}

/**
 * _kernel_unlock: the word is released when this CPU's last hold goes. A
 * plain function up to the first operation not carried out in place (as
 * mutex_exit); the last one is returned for the caller's yield* to consume.
 */
function kernel_unlock(n: number): KernelOp<void> {
  const l = curlwp();
  const kl = kernel_lock(l.host) as KernelLock;
  const st = kl.core;
  const count = l.blcnt;
  if (count < n) {
    if (st.debug && !st.debug.releasing(kl, l, false)) return done(undefined);
    throw new SimError(`KERNEL_UNLOCK: ${l} holds the kernel lock ${count} times, releases ${n}`);
  }
  l.blcnt = count - n;
  let o: KernelOp<unknown> = splraise(IPL_VM);
  if (!paid(o)) return kernel_unlock_slow(kl, l, n, o, 0, IPL_VM);
  const s = paidValue() as Ipl;
  if (dropHolds(kl, l, n)) return splx(s);
  o = membar_release();
  if (!paid(o)) return kernel_unlock_slow(kl, l, n, o, 1, s);
  o = store(kl.line, 0);
  if (!paid(o)) return kernel_unlock_slow(kl, l, n, o, 2, s);
  o = splx(s);
  if (!paid(o)) return kernel_unlock_slow(kl, l, n, o, 3, s);
  return kpreempt_enable();
}

/** True if this CPU keeps holds after dropping `n`; otherwise it gives the word up (not yet stored). */
function dropHolds(kl: KernelLock, l: Lwp, n: number): boolean {
  const ci = curcpuLockState(kl.core);
  if (ci.biglockCount > n) {
    ci.biglockCount -= n;
    return true;
  }
  kl.core.debug?.releasing(kl, l, true);
  ci.biglockCount = 0;
  kl.holder = null;
  return false;
}

/**
 * kernel_unlock from `pending` on (step 0: the splraise, whose result is
 * the IPL to restore; 1: the barrier, 2: the store, 3: the splx at `s`).
 */
function* kernel_unlock_slow(
  kl: KernelLock,
  l: Lwp,
  n: number,
  pending: KernelOp<unknown>,
  step: number,
  s: Ipl,
): KernelGen {
  const r = yield* pending;
  if (step === 0) {
    s = r as Ipl;
    if (dropHolds(kl, l, n)) return yield* splx(s);
    yield* membar_release();
  }
  if (step < 2) yield* store(kl.line, 0);
  if (step < 3) yield* splx(s);
  yield* kpreempt_enable();
}

/**
 * Sleep on `wchan` as every sleep in the kernel does (sleepq_block): drop the
 * kernel lock, sleep, take it back as many times. Lockdebug checks here that
 * no spin mutex is held. Plain up to the sleep, which always goes through
 * the loop (sim's ops.ts, "Plain kernel helpers"): a socket's reader and
 * writer sleep on every burst.
 */
export function ksleep(wchan: unknown, timeoutNs = 0): KernelOp<boolean> {
  const l = curlwp();
  coreState(l.host).debug?.sleeping(l, curcpu());
  const n = l.blcnt;
  if (n === 0) return sleep(wchan, timeoutNs);
  const o = kernel_unlock(n);
  return paid(o)
    ? ksleep_unlocked(wchan, timeoutNs, n)
    : after(o, ksleep_unlocked, wchan, timeoutNs, n);
}

function ksleep_unlocked(wchan: unknown, timeoutNs: number, n: number): KernelOp<boolean> {
  return after(sleep(wchan, timeoutNs), ksleep_woken, n);
}

/** Woken (or timed out): the kernel lock back, as many times as it was held. */
function ksleep_woken(n: number, woken: boolean): KernelOp<boolean> {
  const o = KERNEL_LOCK(n);
  return paid(o) ? done(woken) : after(o, done, woken);
}
