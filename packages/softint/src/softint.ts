/*
 * Soft interrupts, after NetBSD sys/kern/kern_softint.c.
 *
 * A handler is established once for every CPU (softint_establish) and
 * scheduled on the CPU that calls softint_schedule, where it runs later in
 * that CPU's softint LWP of its level. Scheduling a handler that is pending
 * already does nothing: N schedules before it runs give one run. The LWP
 * runs its level's queue in FIFO order until it is empty, handlers queued
 * meanwhile included (softint_execute), and then sleeps.
 *
 * Dispatch is that of MIPS and x86, __HAVE_FAST_SOFTINTS: the softint LWP
 * interrupts whatever runs on its CPU as soon as the IPL drops below its
 * level, and the interrupted LWP stays pinned under it (the machine's
 * softIpl LWPs). A handler runs to completion unless a higher softint level
 * or a hard interrupt comes in; the scheduler never preempts it ("we can't
 * currently preempt softints", kern_runq.c). A handler that blocks gives
 * the CPU back to the LWP it pinned (mi_switch's softint_block path), which
 * resumes with its remaining work; once woken, the softint runs on as an
 * ordinary thread of its priority (so without kernel preemption it waits
 * for the running thread to block or reach a preemption point), and
 * interrupts again only after its dispatch has returned. Meanwhile its
 * level stays active on that CPU: handlers scheduled there queue behind it.
 *
 * softint_schedule_cpu makes a SOFTINT_RCPU handler pending on another CPU
 * by an IPI whose handler calls softint_schedule there (ipi_trigger).
 * softint_disestablish waits with a high-priority cross-call at the
 * handler's level (xcall.ts): done on every CPU, it has passed every
 * earlier run there.
 *
 * A handler without SOFTINT_MPSAFE runs under KERNEL_LOCK, taken just
 * before it and dropped just after; an MPSAFE handler runs without it
 * (softint_execute, kern_softint.c v1.70). The lock counts per CPU, so a
 * non-MPSAFE handler that interrupts the holder on its CPU takes it at once.
 *
 * Left out: the generic (non-fast) dispatch through mi_switch and
 * softint_overlay at lwp_userret.
 */

import { KERNEL_LOCK, KERNEL_UNLOCK_ONE } from "@smpnet/core";
import {
  after,
  type Cpu,
  callpath,
  curcpu,
  done,
  type Host,
  ipi_send,
  type KernelGen,
  type KernelOp,
  paid,
  SimError,
  softint_return,
  wakeup,
  work,
} from "@smpnet/sim";
import { IPI_IPL, SOFTINT_EXECUTE_CYCLES, SOFTINT_SCHEDULE_CYCLES } from "./constants.js";
import { SOFTINT_MPSAFE, SOFTINT_RCPU, type SoftintLevel, softintLevel } from "./levels.js";
import { type SoftintQueue, system } from "./system.js";
import { xc_barrier } from "./xcall.js";

/** A softint handler: kernel code called with the argument given at establish time. */
export type SoftintFunc<A> = (arg: A) => KernelOp<void>;

/** softhand_t: the per-CPU record of one handler. */
export class SoftintHand {
  pending = false;
  /** Runs in progress (0 or 1): softint_disestablish waits for them. */
  running = 0;

  constructor(
    readonly sih: SoftintHandle,
    readonly si: SoftintQueue,
  ) {}
}

/** The cookie softint_establish returns. */
export class SoftintHandle {
  established = true;
  readonly hands: SoftintHand[];
  /** Runs, over all CPUs. */
  runs = 0;

  constructor(
    readonly host: Host,
    readonly name: string,
    readonly level: SoftintLevel,
    readonly mpsafe: boolean,
    readonly rcpu: boolean,
    readonly func: SoftintFunc<never>,
    readonly arg: unknown,
    queues: SoftintQueue[],
  ) {
    this.hands = queues.map((si) => new SoftintHand(this, si));
  }
}

/**
 * softint_establish: registers `func(arg)` at the level of `flags`
 * (SOFTINT_CLOCK..SOFTINT_SERIAL, | SOFTINT_MPSAFE) on every CPU of `host`.
 * May be called at any time, from kernel code or while assembling.
 */
export function softint_establish<A>(
  host: Host,
  flags: number,
  func: SoftintFunc<A>,
  arg: A,
  name: string = func.name || "softint",
): SoftintHandle {
  const sys = system(host);
  const level = softintLevel(flags, name);
  if (typeof func !== "function") {
    throw new SimError(
      `softint_establish ${name}: func must be a generator function (kernel code)`,
    );
  }
  return new SoftintHandle(
    host,
    name,
    level,
    (flags & SOFTINT_MPSAFE) !== 0,
    (flags & SOFTINT_RCPU) !== 0,
    func as SoftintFunc<never>,
    arg,
    sys.cpus.map((c) => c.levels[level]!),
  );
}

/**
 * softint_schedule: makes `sih` pending on the current CPU. Call from kernel
 * code on that CPU (a hard interrupt, a softint, or a thread that cannot
 * migrate meanwhile). It runs once the IPL is below its level and no higher
 * softint level is busy.
 */
export function softint_schedule(sih: SoftintHandle): KernelOp<void> {
  if (!sih.established) {
    throw new SimError(`softint_schedule: ${sih.name} was disestablished`);
  }
  const ci = curcpu();
  if (ci.host !== sih.host) {
    throw new SimError(`softint_schedule: ${sih.name} belongs to host ${sih.host.name}`);
  }
  const sh = sih.hands[ci.index]!;
  if (sh.pending) return done(undefined);
  // plain unless the work must go through the loop (sim's ops.ts, "Plain kernel helpers")
  const o = work(SOFTINT_SCHEDULE_CYCLES);
  return paid(o) ? softint_pend(sih, sh, ci) : after(o, softint_pend, sih, sh, ci);
}

function softint_pend(sih: SoftintHandle, sh: SoftintHand, ci: Cpu): KernelOp<void> {
  sh.pending = true;
  const si = sh.si;
  si.q.push(sh);
  const p = system(ci.host).probes.softint_schedule;
  if (p.on) p.emit(ci, sih.level, sih.name);
  if (si.active) return done(undefined);
  si.active = true;
  return wakeup(si) as KernelOp<unknown> as KernelOp<void>; // softint_trigger
}

/**
 * softint_schedule_cpu: makes `sih` pending on CPU `ci`: softint_schedule
 * when that is the current CPU, else an IPI to it whose handler does
 * (ipi_trigger). The handler must have been established SOFTINT_RCPU.
 */
export function softint_schedule_cpu(sih: SoftintHandle, ci: Cpu): KernelOp<void> {
  if (ci === curcpu()) return softint_schedule(sih);
  if (!sih.rcpu) {
    throw new SimError(
      `softint_schedule_cpu: ${sih.name} was established without SOFTINT_RCPU; add it to the flags to schedule it on another CPU`,
    );
  }
  if (ci.host !== sih.host) {
    throw new SimError(`softint_schedule_cpu: ${ci.name} is not a CPU of host ${sih.host.name}`);
  }
  return ipi_send(
    ci.index,
    function* ipi_trigger() {
      yield* softint_schedule(sih);
    },
    IPI_IPL,
  );
}

/**
 * softint_disestablish: waits until `sih` has finished on every CPU, with a
 * cross-call at its level (xc_barrier(XC_HIGHPRI_IPL(si_ipl)), v1.70), then
 * removes it. The caller commits not to schedule it again. Thread context,
 * never from the handler itself.
 */
export function* softint_disestablish(sih: SoftintHandle): KernelGen {
  const ci = curcpu();
  if (ci.curctx.lwp === null) {
    throw new SimError(`softint_disestablish ${sih.name}: not from an interrupt handler`);
  }
  yield* xc_barrier(system(sih.host).xc!, sih.level);
  if (sih.hands.some((h) => h.pending || h.running > 0)) {
    throw new SimError(
      `softint_disestablish ${sih.name}: scheduled again while being disestablished; stop scheduling it before the call`,
    );
  }
  sih.established = false;
}

/** The body of a softint LWP: run the level's queue whenever it has work. */
export function* softint_thread(si: SoftintQueue): KernelGen {
  for (;;) {
    while (si.q.length === 0) {
      si.active = false;
      yield* softint_return(si);
    }
    yield* softint_execute(si);
  }
}

/**
 * Runs every pending handler of one level on this CPU, re-queued ones
 * included. Plain up to the first operation that goes through the loop
 * (sim's ops.ts, "Plain kernel helpers"): it runs for every burst.
 */
function softint_execute(si: SoftintQueue): KernelOp<void> {
  while (si.q.length > 0) {
    const sh = si.q.shift()!;
    const sih = sh.sih;
    sh.pending = false;
    let o: KernelOp<unknown> = work(SOFTINT_EXECUTE_CYCLES);
    if (!paid(o)) return softint_execute_slow(si, sh, o, 0);
    if (!sih.mpsafe) {
      o = KERNEL_LOCK(1);
      if (!paid(o)) return softint_execute_slow(si, sh, o, 1);
    }
    handler_enter(si, sh);
    try {
      o = (sih.func as SoftintFunc<unknown>)(sih.arg);
    } catch (e) {
      handler_exit(sh);
      throw e;
    }
    if (!paid(o)) return softint_execute_slow(si, sh, o, 2);
    handler_exit(sh);
    if (!sih.mpsafe) {
      o = KERNEL_UNLOCK_ONE();
      if (!paid(o)) return softint_execute_slow(si, sh, o, 3);
    }
  }
  return done(undefined);
}

/**
 * softint_execute from handler `sh`'s operation `pending` on (step 0: the
 * dispatch's work, 1: KERNEL_LOCK, 2: the handler, 3: KERNEL_UNLOCK), then
 * the rest of the queue.
 */
function* softint_execute_slow(
  si: SoftintQueue,
  sh: SoftintHand,
  pending: KernelOp<unknown>,
  step: number,
): KernelGen {
  const sih = sh.sih;
  if (step === 2) {
    try {
      yield* pending;
    } finally {
      handler_exit(sh);
    }
  } else {
    yield* pending;
  }
  if (step < 1 && !sih.mpsafe) yield* KERNEL_LOCK(1);
  if (step < 2) {
    handler_enter(si, sh);
    try {
      yield* (sih.func as SoftintFunc<unknown>)(sih.arg);
    } finally {
      handler_exit(sh);
    }
  }
  if (step < 3 && !sih.mpsafe) yield* KERNEL_UNLOCK_ONE();
  // the rest of the queue here: handing it back to softint_execute would
  // nest a generator per slow handler, and a handler may re-queue itself
  while (si.q.length > 0) {
    const next = si.q.shift()!;
    const h = next.sih;
    next.pending = false;
    yield* work(SOFTINT_EXECUTE_CYCLES);
    if (!h.mpsafe) yield* KERNEL_LOCK(1);
    handler_enter(si, next);
    try {
      yield* (h.func as SoftintFunc<unknown>)(h.arg);
    } finally {
      handler_exit(next);
    }
    if (!h.mpsafe) yield* KERNEL_UNLOCK_ONE();
  }
}

/** The handler is about to run: the probe, the counts, its name on the call path (lockstat's caller). */
function handler_enter(si: SoftintQueue, sh: SoftintHand): void {
  const sih = sh.sih;
  const probe = system(si.cpu.host).probes.softint_run;
  if (probe.on) probe.emit(si.cpu, sih.level, sih.name);
  sh.running++;
  sih.runs++;
  callpath().push(sih.func.name || sih.name);
}

function handler_exit(sh: SoftintHand): void {
  callpath().pop();
  sh.running--;
}
