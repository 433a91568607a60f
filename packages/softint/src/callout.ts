/*
 * Callouts, after NetBSD sys/kern/kern_timeout.c (v1.50).
 *
 * A callout is due a number of hardclock ticks from when it is set. It waits
 * on the wheel of one CPU (callout-wheel.ts), under that CPU's cc_lock, a
 * spin mutex at IPL_SCHED. Each tick callout_hardclock moves due buckets to
 * cc_todo and, if anything is there, schedules SOFTINT_CLOCK; its handler,
 * callout_softclock, calls each due callout with cc_lock dropped (under
 * KERNEL_LOCK unless CALLOUT_MPSAFE). So a callout runs only when
 * SOFTINT_CLOCK gets its CPU: behind SOFTINT_BIO, SOFTINT_NET and
 * SOFTINT_SERIAL, however late that is.
 *
 * callout_reset on a callout that is not pending moves an MPSAFE callout to
 * the calling CPU when that CPU's lock can be taken at once; a pending one
 * stays where it is and is only moved earlier, never later (a later time is
 * found when softclock looks at it). callout_halt waits for a call in
 * progress on another LWP. Each call's lateness (call time minus the time of
 * the tick it was due at) is recorded; NetBSD counts only that it was late
 * (evcnt "callout late/N").
 */

import {
  KERNEL_LOCK,
  KERNEL_UNLOCK_ONE,
  type kmutex_t,
  ksleep,
  mutex_enter,
  mutex_exit,
  mutex_spin_enter,
  mutex_spin_exit,
  mutex_tryenter,
} from "@smpnet/core";
import {
  after,
  type Cpu,
  callpath,
  curcpu,
  curlwp,
  done,
  type Host,
  type KernelGen,
  type KernelOp,
  nanotime,
  paid,
  paidValue,
  SimError,
  wakeup,
  work,
} from "@smpnet/sim";
import {
  advanceWheel,
  bucket,
  CALLOUT_BOUND,
  CALLOUT_FIRED,
  CALLOUT_FLAGMASK,
  CALLOUT_INVOKING,
  CALLOUT_MPSAFE,
  CALLOUT_PENDING,
  type CalloutCpu,
  type CalloutFunc,
  callout_t,
  circqInsert,
  circqRemove,
} from "./callout-wheel.js";
import { CALLOUT_WHEEL_CYCLES } from "./constants.js";
import { softint_schedule } from "./softint.js";
import { type SoftintSystem, system } from "./system.js";

/** The CPU kernel code runs on, or CPU 0 while the kernel is being assembled. */
function currentCpu(host: Host): Cpu {
  try {
    const ci = curcpu();
    if (ci.host === host) return ci;
  } catch {
    // not in kernel code: assembling the kernel, as at boot on the primary CPU
  }
  return host.cpus[0]!;
}

/**
 * callout_init: a callout on the current CPU's wheel when CALLOUT_MPSAFE,
 * else bound to CPU 0's and run under KERNEL_LOCK (NetBSD's callout_cpu0).
 */
export function callout_init(host: Host, flags: number, name: string): callout_t {
  const sys = system(host);
  if (!Number.isInteger(flags) || (flags & ~CALLOUT_FLAGMASK) !== 0) {
    throw new SimError(
      `callout_init ${name}: flags ${String(flags)} are not 0 or CALLOUT_MPSAFE (0x100)`,
    );
  }
  let c: callout_t;
  if ((flags & CALLOUT_MPSAFE) !== 0) {
    c = new callout_t(name, flags, sys.cpus[currentCpu(host).index]!.callout);
  } else {
    c = new callout_t(name, flags | CALLOUT_BOUND, sys.cpus[0]!.callout);
  }
  sys.callouts.add(c);
  return c;
}

/** callout_destroy: the callout must not be pending. */
export function callout_destroy(c: callout_t): void {
  if ((c.c_flags & CALLOUT_PENDING) !== 0) {
    throw new SimError(`callout_destroy ${c.name}: it is still pending; callout_halt it first`);
  }
  system(c.c_cpu.cpu.host).callouts.delete(c);
}

/*
 * callout_lock, callout_schedule, callout_reset and callout_stop run for
 * TCP's timers on every segment and ACK, so they are plain functions on
 * their fast path (cc_lock free, every operation carried out in place), as
 * mutex_spin_enter is, and go on in a generator (`after`) from the first
 * operation that was not.
 */

/** callout_lock: takes the lock of the CPU the callout is on, which may change meanwhile. */
function callout_lock(c: callout_t): KernelOp<kmutex_t> {
  const cc = c.c_cpu;
  const lock = cc.cc_lock;
  const o = mutex_spin_enter(lock);
  return paid(o) ? callout_locked(c, cc, lock) : after(o, callout_locked, c, cc, lock);
}

/** callout_lock with `lock`, cc's, held: done if the callout is still on cc, else again. */
function callout_locked(c: callout_t, cc: CalloutCpu, lock: kmutex_t): KernelOp<kmutex_t> {
  if (cc === c.c_cpu) return done(lock);
  const o = mutex_spin_exit(lock);
  return paid(o) ? callout_lock(c) : after(o, callout_lock, c);
}

function checkTicks(where: string, c: callout_t, ticks: number): void {
  if (!Number.isInteger(ticks) || ticks < 0 || ticks > 0x7fffffff) {
    throw new SimError(
      `${where} ${c.name}: ticks must be an integer in 0..2^31-1, got ${String(ticks)}`,
    );
  }
}

/** When the tick it is due at comes, in ns (every CPU ticks at the same instants). */
function dueAt(sys: SoftintSystem, c: callout_t): number {
  return sys.t0 + c.c_time * sys.tickNs;
}

/** With `lock` (the callout's CPU's) held: makes it due `to_ticks` from now and drops the lock. */
function callout_schedule_locked(c: callout_t, lock: kmutex_t, to_ticks: number): KernelOp<void> {
  const occ = c.c_cpu;
  const o = work(CALLOUT_WHEEL_CYCLES);
  return paid(o)
    ? callout_schedule_wheel(c, lock, to_ticks, occ)
    : after(o, callout_schedule_wheel, c, lock, to_ticks, occ);
}

function callout_schedule_wheel(
  c: callout_t,
  lock: kmutex_t,
  to_ticks: number,
  occ: CalloutCpu,
): KernelOp<void> {
  c.c_flags &= ~(CALLOUT_FIRED | CALLOUT_INVOKING);
  if ((c.c_flags & CALLOUT_PENDING) !== 0) {
    // leave it on its CPU; move it now only if it is moved earlier
    const old = c.c_time;
    c.c_time = to_ticks + occ.cc_ticks;
    c.dueNs = dueAt(system(occ.cpu.host), c);
    if (c.c_time - old < 0) {
      circqRemove(c);
      circqInsert(c, occ.cc_todo);
    }
    return mutex_spin_exit(lock);
  }
  const cc = system(occ.cpu.host).cpus[curcpu().index]!.callout;
  if ((c.c_flags & CALLOUT_BOUND) !== 0 || cc === occ) {
    return callout_schedule_on(c, lock, to_ticks, occ, cc, false);
  }
  const o = mutex_tryenter(cc.cc_lock);
  return paid(o)
    ? callout_schedule_on(c, lock, to_ticks, occ, cc, paidValue() as boolean)
    : after(o, callout_schedule_on, c, lock, to_ticks, occ, cc);
}

/** Puts a callout that was not pending on this CPU's wheel (`cc`, whose lock `moved` took) or on its own. */
function callout_schedule_on(
  c: callout_t,
  lock: kmutex_t,
  to_ticks: number,
  occ: CalloutCpu,
  cc: CalloutCpu,
  moved: boolean,
): KernelOp<void> {
  const to = moved ? cc : occ;
  c.c_cpu = to;
  c.c_time = to_ticks + to.cc_ticks;
  c.c_flags |= CALLOUT_PENDING;
  circqInsert(c, to.cc_todo);
  if (!moved) return callout_scheduled(c, lock);
  const o = mutex_spin_exit(cc.cc_lock);
  return paid(o) ? callout_scheduled(c, lock) : after(o, callout_scheduled, c, lock);
}

function callout_scheduled(c: callout_t, lock: kmutex_t): KernelOp<void> {
  c.dueNs = dueAt(system(c.c_cpu.cpu.host), c);
  return mutex_spin_exit(lock);
}

/** callout_reset: sets the function and argument and makes it due `ticks` ticks from now. */
export function callout_reset<A>(
  c: callout_t,
  ticks: number,
  func: CalloutFunc<A>,
  arg: A,
): KernelOp<void> {
  checkTicks("callout_reset", c, ticks);
  if (typeof func !== "function") {
    throw new SimError(`callout_reset ${c.name}: func must be a generator function (kernel code)`);
  }
  const o = callout_lock(c);
  return paid(o)
    ? callout_reset_locked(c, ticks, func, arg, paidValue() as kmutex_t)
    : after(o, callout_reset_locked, c, ticks, func, arg);
}

function callout_reset_locked<A>(
  c: callout_t,
  ticks: number,
  func: CalloutFunc<A>,
  arg: A,
  lock: kmutex_t,
): KernelOp<void> {
  c.c_func = func as CalloutFunc<never>;
  c.c_arg = arg;
  return callout_schedule_locked(c, lock, ticks);
}

/** callout_setfunc: sets the function and argument without scheduling. */
export function* callout_setfunc<A>(c: callout_t, func: CalloutFunc<A>, arg: A): KernelGen {
  const lock = yield* callout_lock(c);
  c.c_func = func as CalloutFunc<never>;
  c.c_arg = arg;
  yield* mutex_spin_exit(lock);
}

/** callout_schedule: makes it due `ticks` from now with the function it has. */
export function callout_schedule(c: callout_t, ticks: number): KernelOp<void> {
  checkTicks("callout_schedule", c, ticks);
  if (c.c_func === null) {
    throw new SimError(
      `callout_schedule ${c.name}: no function set; use callout_reset or callout_setfunc first`,
    );
  }
  const o = callout_lock(c);
  return paid(o)
    ? callout_schedule_locked(c, paidValue() as kmutex_t, ticks)
    : after(o, callout_schedule_relock, c, ticks);
}

function callout_schedule_relock(c: callout_t, ticks: number, lock: kmutex_t): KernelOp<void> {
  return callout_schedule_locked(c, lock, ticks);
}

/**
 * callout_stop: cancels a pending callout; returns whether it had fired
 * (expired). A call in progress on another CPU goes on.
 */
export function callout_stop(c: callout_t): KernelOp<boolean> {
  const o = callout_lock(c);
  return paid(o)
    ? callout_stop_locked(c, paidValue() as kmutex_t)
    : after(o, callout_stop_locked, c);
}

function callout_stop_locked(c: callout_t, lock: kmutex_t): KernelOp<boolean> {
  const o = work(CALLOUT_WHEEL_CYCLES);
  return paid(o) ? callout_stop_wheel(c, lock) : after(o, callout_stop_wheel, c, lock);
}

function callout_stop_wheel(c: callout_t, lock: kmutex_t): KernelOp<boolean> {
  if ((c.c_flags & CALLOUT_PENDING) !== 0) circqRemove(c);
  const expired = (c.c_flags & CALLOUT_FIRED) !== 0;
  c.c_flags &= ~(CALLOUT_PENDING | CALLOUT_FIRED);
  const o = mutex_spin_exit(lock);
  return paid(o) ? done(expired) : after(o, done, expired);
}

/**
 * callout_halt: as callout_stop, and if the callout is running in another
 * LWP, sleeps until that call returns. Not from a hard interrupt. With an
 * interlock (an adaptive mutex the caller holds), it is dropped while
 * waiting and taken again before returning.
 */
export function* callout_halt(c: callout_t, interlock: kmutex_t | null = null): KernelGen<boolean> {
  if (curcpu().curctx.lwp === null) {
    throw new SimError(`callout_halt ${c.name}: may not be called from a hard interrupt`);
  }
  let lock = yield* callout_lock(c);
  let relock: kmutex_t | null = null;
  const expired = (c.c_flags & CALLOUT_FIRED) !== 0;
  if ((c.c_flags & CALLOUT_PENDING) !== 0) circqRemove(c);
  c.c_flags &= ~(CALLOUT_PENDING | CALLOUT_FIRED);
  const l = curlwp();
  for (;;) {
    const cc = c.c_cpu;
    if (cc.cc_active !== c || cc.cc_lwp === l) break;
    if (interlock !== null) {
      yield* mutex_spin_exit(lock);
      yield* mutex_exit(interlock);
      relock = interlock;
      interlock = null;
    } else {
      cc.cc_nwait++;
      cc.cc_ev_block++;
      yield* mutex_spin_exit(lock);
      // sleepq_enter under cc_lock in NetBSD: here the test and the sleep are one instant
      if (cc.cc_active === c) yield* ksleep(cc);
    }
    lock = yield* callout_lock(c);
  }
  yield* mutex_spin_exit(lock);
  if (relock !== null) yield* mutex_enter(relock);
  return expired;
}

/** callout_pending: due and not yet called. */
export function callout_pending(c: callout_t): boolean {
  return (c.c_flags & CALLOUT_PENDING) !== 0;
}

/** callout_expired: called since it was last set. */
export function callout_expired(c: callout_t): boolean {
  return (c.c_flags & CALLOUT_FIRED) !== 0;
}

/** callout_active: pending or expired. */
export function callout_active(c: callout_t): boolean {
  return (c.c_flags & (CALLOUT_PENDING | CALLOUT_FIRED)) !== 0;
}

/** callout_invoking: called and not yet acknowledged with callout_ack. */
export function callout_invoking(c: callout_t): boolean {
  return (c.c_flags & CALLOUT_INVOKING) !== 0;
}

export function callout_ack(c: callout_t): void {
  c.c_flags &= ~CALLOUT_INVOKING;
}

/**
 * callout_hardclock: from hardclock on every CPU, every tick. Advances the
 * wheel and schedules SOFTINT_CLOCK when cc_todo has work.
 */
export function* callout_hardclock(): KernelGen {
  const ci = curcpu();
  const sys = system(ci.host);
  const cc = sys.cpus[ci.index]!.callout;
  yield* mutex_spin_enter(cc.cc_lock);
  yield* work(CALLOUT_WHEEL_CYCLES);
  advanceWheel(cc);
  const needsoftclock = cc.cc_todo.length > 0;
  yield* mutex_spin_exit(cc.cc_lock);
  if (needsoftclock) yield* softint_schedule(sys.calloutSih!);
}

/** callout_softclock: the SOFTINT_CLOCK handler; calls what is due on this CPU. */
export function* callout_softclock(): KernelGen {
  const l = curlwp();
  const ci = curcpu();
  const sys = system(ci.host);
  const cc = sys.cpus[ci.index]!.callout;
  const probe = sys.probes.callout_fire;
  yield* mutex_spin_enter(cc.cc_lock);
  cc.cc_lwp = l;
  while (cc.cc_todo.length > 0) {
    const c = cc.cc_todo[0]!;
    circqRemove(c);
    yield* work(CALLOUT_WHEEL_CYCLES);
    const delta = c.c_time - cc.cc_ticks;
    if (delta > 0) {
      circqInsert(c, bucket(cc, delta, c.c_time));
      continue;
    }
    if (delta < 0) cc.cc_ev_late++;
    c.c_flags = (c.c_flags & ~CALLOUT_PENDING) | CALLOUT_FIRED | CALLOUT_INVOKING;
    const mpsafe = (c.c_flags & CALLOUT_MPSAFE) !== 0;
    const func = c.c_func as CalloutFunc<unknown>;
    const arg = c.c_arg;
    cc.cc_active = c;
    yield* mutex_spin_exit(cc.cc_lock);
    const now = nanotime();
    cc.latenessNs.push(now - c.dueNs);
    c.fires++;
    if (probe.on) probe.emit(ci, c.name, c.dueNs, now - c.dueNs);
    if (!mpsafe) yield* KERNEL_LOCK(1);
    const path = callpath();
    path.push(func.name || c.name);
    yield* func(arg);
    path.pop();
    if (!mpsafe) yield* KERNEL_UNLOCK_ONE();
    yield* mutex_spin_enter(cc.cc_lock);
    cc.cc_active = null;
    if (cc.cc_nwait !== 0) {
      cc.cc_nwait = 0;
      yield* wakeup(cc);
    }
  }
  cc.cc_lwp = null;
  yield* mutex_spin_exit(cc.cc_lock);
}
