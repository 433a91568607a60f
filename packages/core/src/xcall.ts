/*
 * Low-priority cross-calls, after NetBSD sys/kern/subr_xcall.c (v1.18:
 * xc_lowpri, xc_thread, xc_wait; xc_barrier is xc_wait of a broadcast
 * no-op). Each CPU has a bound kthread "xcall/N" at PRI_XCALL; a broadcast
 * sets the function under xc_lock, marks every CPU pending and signals its
 * thread; each thread runs the function in thread context and counts it
 * done; xc_wait sleeps until the count reaches the caller's ticket.
 *
 * That is why pool_barrier (xc_barrier(0)) waits out pserialize readers: a
 * CPU inside a read section is at IPL_SOFTSERIAL and switches to no thread,
 * so its xcall thread runs only once the section is over. It also waits for
 * whatever else keeps the CPU from switching (a busy kernel thread runs to
 * its next preemption point first), which is what makes it "heavyweight".
 *
 * Left out: unicast calls, the event counters. High-priority calls
 * (XC_HIGHPRI) are pserialize.ts's xc_barrier_highpri.
 */
import {
  type CacheLine,
  curcpu,
  type Host,
  HostSlot,
  IPL_NONE,
  type KernelGen,
  MAXPRI_KTHREAD,
  SimError,
  store,
  wakeup,
  wakeup_one,
} from "@smpnet/sim";
import { ksleep } from "./kernel-lock.js";
import { type kmutex_t, MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } from "./mutex.js";

/** PRI_XCALL = MAXPRI_KTHREAD (127), sys/sys/param.h (kernel.md section 1). */
export const PRI_XCALL = MAXPRI_KTHREAD;

export type XcFunc = () => KernelGen;

/** xc_low_pri, xc_tailp and each CPU's cpu_xcall_pending: one per host. */
interface XcState {
  readonly lock: kmutex_t;
  /** The state box's line, written by every step of a call. */
  readonly line: CacheLine;
  /** cv xc_busy, and each CPU's cv cpu_xcall. */
  readonly busy: object;
  readonly cpuCv: object[];
  readonly pending: boolean[];
  func: XcFunc | null;
  headp: number;
  tailp: number;
  donep: number;
  /** Broadcasts sent (xc_broadcast_ev). */
  broadcasts: number;
}

const states = new HostSlot<XcState>();

/** xc_init and xc_init_cpu: the state and one xcall thread per CPU; once per host. */
export function xc_init(host: Host): void {
  if (states.has(host)) return;
  const xc: XcState = {
    lock: mutex_init(host, "xc_low_pri.xc_lock", MUTEX_DEFAULT, IPL_NONE),
    line: host.cacheline("xc_low_pri", 0),
    busy: { wchan: "xclocv" },
    cpuCv: host.cpus.map((c) => ({ wchan: `xcall/${c.index}` })),
    pending: host.cpus.map(() => false),
    func: null,
    headp: 0,
    tailp: 0,
    donep: 0,
    broadcasts: 0,
  };
  states.set(host, xc);
  for (const c of host.cpus) {
    host.kthread_create({
      name: `xcall/${c.index}`,
      pri: PRI_XCALL,
      cpu: c.index,
      bound: true,
      body: () => xc_thread(xc, c.index),
    });
  }
}

function xcState(host: Host): XcState {
  const xc = states.get(host);
  if (xc === undefined) {
    throw new SimError(
      `xc_broadcast: ${host.name} has no xcall threads; call xc_init(host) before the simulation runs`,
    );
  }
  return xc;
}

/** Low-priority broadcasts sent on `host` so far. */
export function xc_broadcasts(host: Host): number {
  return states.get(host)?.broadcasts ?? 0;
}

/** cv_wait(cv, xc_lock) while `blocked()`: tested and slept on in one instant. */
function* cv_wait(xc: XcState, cv: object, blocked: () => boolean): KernelGen {
  yield* mutex_exit(xc.lock);
  if (blocked()) yield* ksleep(cv);
  yield* mutex_enter(xc.lock);
}

/** xc_broadcast(0, func): run `func` on every CPU in its xcall thread; returns the ticket. */
export function* xc_broadcast(host: Host, func: XcFunc): KernelGen<number> {
  if (curcpu().curctx.lwp === null) {
    throw new SimError("xc_broadcast: called from an interrupt handler; call it from a thread");
  }
  const xc = xcState(host);
  yield* mutex_enter(xc.lock);
  while (xc.headp !== xc.tailp) yield* cv_wait(xc, xc.busy, () => xc.headp !== xc.tailp);
  xc.func = func;
  xc.broadcasts++;
  for (let c = 0; c < xc.pending.length; c++) {
    xc.headp++;
    xc.pending[c] = true;
    yield* wakeup_one(xc.cpuCv[c]!);
  }
  yield* store(xc.line, xc.headp);
  const where = xc.headp;
  yield* mutex_exit(xc.lock);
  return where;
}

/** xc_wait: sleep until the call with ticket `where` has run everywhere. */
export function* xc_wait(host: Host, where: number): KernelGen {
  const xc = xcState(host);
  if (xc.donep >= where) return;
  yield* mutex_enter(xc.lock);
  while (xc.donep < where) yield* cv_wait(xc, xc.busy, () => xc.donep < where);
  yield* mutex_exit(xc.lock);
}

function* xc_nop(): KernelGen {}

/** xc_barrier(0): a broadcast no-op, waited for. Thread context; sleeps. */
export function* xc_barrier(host: Host): KernelGen {
  yield* xc_wait(host, yield* xc_broadcast(host, xc_nop));
}

/** xc_thread: the per-CPU dispatcher of low-priority calls. */
function* xc_thread(xc: XcState, ci: number): KernelGen {
  yield* mutex_enter(xc.lock);
  for (;;) {
    while (!xc.pending[ci]) {
      if (xc.headp === xc.tailp) yield* wakeup(xc.busy);
      yield* cv_wait(xc, xc.cpuCv[ci]!, () => !xc.pending[ci]);
    }
    xc.pending[ci] = false;
    const func = xc.func!;
    xc.tailp++;
    yield* store(xc.line, xc.tailp);
    yield* mutex_exit(xc.lock);
    yield* func();
    yield* mutex_enter(xc.lock);
    xc.donep++;
    yield* store(xc.line, xc.donep);
  }
}
