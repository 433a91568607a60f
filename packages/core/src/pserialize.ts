/*
 * pserialize(9), after NetBSD sys/kern/subr_pserialize.c v1.23 (2023-04-16,
 * the newest revision read) and the high-priority half of subr_xcall.c.
 *
 * A read section is splsoftserial() and a per-CPU depth count: no atomics,
 * no fences. Because nothing at or below IPL_SOFTSERIAL runs on a CPU inside
 * a section (not even the scheduler: the LWP cannot be preempted at a raised
 * IPL), a high-priority cross-call that completes on a CPU proves that CPU
 * is outside any section that began before it. pserialize_perform is that
 * cross-call: broadcast to every CPU, then sleep until each has run it
 * (xc_barrier(XC_HIGHPRI)); then psz_lock is taken only to count the call
 * (psz_ev_excl).
 *
 * What changed since v1.17 (2019, the design kernel.md section 3 read): the
 * global lock held across the cross-call, the `active` flag, the generation
 * count and the rule that let a writer return after two generations without
 * a cross-call of its own are gone, and the psz argument is unused. Every
 * call still pays its own broadcast, and concurrent callers still go one at
 * a time, but now because xc_highpri lets one high-priority cross-call be in
 * flight at a time (the next sender cv_waits on xc_busy), not because of a
 * mutex around pserialize_perform: a queued writer sleeps in the xcall layer
 * rather than on pserialize.lock's turnstile, and nothing lends it priority.
 *
 * Modelled: the cross-call as IPIs whose handler runs at IPL_SOFTSERIAL (in
 * NetBSD a high-priority xcall is a softint at that level, raised by an
 * IPI), so a CPU inside a section defers it; the sender's own CPU passes at
 * once (it is in thread context, outside any section). Left out: the
 * softint dispatch on the target (the softint package's), psref(9).
 */

import {
  after,
  atomic_add,
  type CacheLine,
  curcpu,
  done,
  type Host,
  HostSlot,
  IPL_NONE,
  IPL_SOFTSERIAL,
  type Ipl,
  ipi_send,
  type KernelGen,
  type KernelOp,
  load,
  nanotime,
  paid,
  paidValue,
  SimError,
  splraise,
  splx,
  store,
  wakeup,
} from "@smpnet/sim";
import { ksleep } from "./kernel-lock.js";
import { type kmutex_t, MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } from "./mutex.js";
import {
  noteFree,
  noteReadEnter,
  noteReadExit,
  noteRetire,
  type Reclaimable,
  type Reclaimer,
  ReclaimStats,
} from "./reclaim.js";

interface PszCpu {
  /** ci_psz_read_depth, on this CPU's own line. */
  readonly depth: CacheLine;
  /** The IPLs splsoftserial returned, one per open section. */
  readonly spl: Ipl[];
}

/** The global state of subr_pserialize.c and of xc_high_pri: one per host. */
interface PszGlobal {
  /** psz_lock: taken after the cross-call, only to count it. */
  readonly lock: kmutex_t;
  /** psz_ev_excl: pserialize_perform calls. */
  evExcl: number;
  /** xc_headp != xc_donep: a high-priority cross-call is in flight. */
  xcBusy: boolean;
}

const globals = new HostSlot<PszGlobal>();

function pszGlobal(host: Host): PszGlobal {
  let g = globals.get(host);
  if (g === undefined) {
    g = {
      lock: mutex_init(host, "psz_lock", MUTEX_DEFAULT, IPL_NONE),
      evExcl: 0,
      xcBusy: false,
    };
    globals.set(host, g);
  }
  return g;
}

/** The "pserialize exclusive access" event counter of `host`. */
export function pserialize_ev_excl(host: Host): number {
  return pszGlobal(host).evExcl;
}

export class pserialize_t implements Reclaimer {
  readonly name = "pserialize";
  readonly stats = new ReclaimStats();
  readonly cpus: PszCpu[];
  /** Every cross-call this instance ran, [start, end] in ns: for tests and experiments. */
  readonly xcallSpans: { readonly startNs: number; readonly endNs: number }[] = [];
  /** Objects retired and not yet freed, oldest first (as pool_cache's PR_PSERIALIZE batch). */
  private limbo: Reclaimable[] = [];

  constructor(readonly host: Host) {
    this.cpus = host.cpus.map((c) => ({
      depth: host.cacheline(`cpu${c.index}.ci_psz_read_depth`, 0),
      spl: [],
    }));
  }

  enter(): KernelOp<void> {
    return pserialize_read_enter(this);
  }
  exit(): KernelOp<void> {
    return pserialize_read_exit(this);
  }
  *retire(obj: Reclaimable): KernelGen {
    noteRetire(this.name, this.stats, obj);
    this.limbo.push(obj);
  }
  /** pserialize_perform, then free everything retired before it began. */
  *synchronize(): KernelGen {
    const batch = this.limbo;
    this.limbo = [];
    yield* pserialize_perform(this);
    const now = nanotime();
    for (const obj of batch) noteFree(this.stats, obj, now);
  }
  /** pserialize cannot tell without a cross-call: frees nothing, never waits. */
  *poll(): KernelGen<boolean> {
    return this.limbo.length === 0;
  }
}

/** pserialize_create: one per host is all anyone needs (the psz argument is unused). */
export function pserialize_create(host: Host): pserialize_t {
  return new pserialize_t(host);
}

/** Inside a read section on this CPU (pserialize_in_read_section). */
export function pserialize_in_read_section(psz: pserialize_t): boolean {
  return (psz.cpus[curcpu().index]!.depth.value as number) > 0;
}

// The read sections run around every pcb lookup, so they are plain
// functions on their fast path, each step the rest after one operation.

/** pserialize_read_enter: block soft interrupts; any context. */
export function pserialize_read_enter(psz: pserialize_t): KernelOp<void> {
  const t0 = nanotime();
  const c = psz.cpus[curcpu().index]!;
  const o = splraise(IPL_SOFTSERIAL);
  return paid(o)
    ? read_enter_spl(psz, c, t0, paidValue() as Ipl)
    : after(o, read_enter_spl, psz, c, t0);
}

function read_enter_spl(psz: pserialize_t, c: PszCpu, t0: number, s: Ipl): KernelOp<void> {
  c.spl.push(s);
  const o = load(c.depth);
  return paid(o)
    ? read_enter_depth(psz, c, t0, paidValue() as number)
    : after(o, read_enter_depth, psz, c, t0);
}

function read_enter_depth(psz: pserialize_t, c: PszCpu, t0: number, depth: number): KernelOp<void> {
  const o = store(c.depth, depth + 1);
  return paid(o) ? read_entered(psz, t0) : after(o, read_entered, psz, t0);
}

function read_entered(psz: pserialize_t, t0: number): KernelOp<void> {
  noteReadEnter(psz.host, psz.name);
  psz.stats.sections++;
  psz.stats.sectionNs += nanotime() - t0;
  return done(undefined);
}

/** pserialize_read_exit: end the section and restore the IPL. */
export function pserialize_read_exit(psz: pserialize_t): KernelOp<void> {
  const t0 = nanotime();
  const c = psz.cpus[curcpu().index]!;
  const s = c.spl.pop();
  if (s === undefined) {
    throw new SimError(
      `pserialize_read_exit: ${curcpu().name} is not in a read section; pair it with pserialize_read_enter on the same CPU`,
    );
  }
  noteReadExit(psz.host, psz.name);
  const o = load(c.depth);
  return paid(o)
    ? read_exit_depth(psz, c, s, t0, paidValue() as number)
    : after(o, read_exit_depth, psz, c, s, t0);
}

function read_exit_depth(
  psz: pserialize_t,
  c: PszCpu,
  s: Ipl,
  t0: number,
  depth: number,
): KernelOp<void> {
  const o = store(c.depth, depth - 1);
  return paid(o) ? read_exit_spl(psz, s, t0) : after(o, read_exit_spl, psz, s, t0);
}

function read_exit_spl(psz: pserialize_t, s: Ipl, t0: number): KernelOp<void> {
  const o = splx(s);
  return paid(o) ? read_exited(psz, t0) : after(o, read_exited, psz, t0);
}

function read_exited(psz: pserialize_t, t0: number): KernelOp<void> {
  psz.stats.sectionNs += nanotime() - t0;
  return done(undefined);
}

/**
 * pserialize_perform: wait until every CPU has left the read sections it
 * was in when this began. Thread context only; sleeps.
 */
export function* pserialize_perform(psz: pserialize_t): KernelGen {
  const cpu = curcpu();
  if (cpu.curctx.lwp === null) {
    throw new SimError(
      "pserialize_perform: called from an interrupt handler; call it from a thread",
    );
  }
  if (psz.cpus[cpu.index]!.spl.length > 0) {
    throw new SimError(
      "pserialize_perform: called inside a read section, which would wait for itself; exit the section first",
    );
  }
  const g = pszGlobal(psz.host);
  // mp_online is false with one CPU: nobody else can be reading
  if (psz.host.cpus.length === 1) {
    g.evExcl++;
    return;
  }
  yield* xc_barrier_highpri(psz);
  yield* mutex_enter(g.lock);
  g.evExcl++;
  yield* mutex_exit(g.lock);
}

/**
 * xc_barrier(XC_HIGHPRI): a no-op cross-call on every CPU, waited for. Only
 * one high-priority cross-call is in flight at a time: a sender that finds
 * one waits for it to finish (xc_highpri). The sender's CPU counts at once;
 * each other CPU increments the done count from its IPL_SOFTSERIAL handler,
 * and the last one wakes the sender and whoever queued behind it.
 */
export function* xc_barrier_highpri(psz: pserialize_t): KernelGen {
  const ncpu = psz.host.cpus.length;
  const xc = pszGlobal(psz.host);
  // test and sleep in one instant (cv_wait under xc_lock): no lost wakeup
  while (xc.xcBusy) yield* ksleep(xc);
  xc.xcBusy = true;
  psz.stats.xcalls++;
  const startNs = nanotime();
  const done = psz.host.cacheline("xc_donep", 1);
  const handler = function* (): KernelGen {
    if ((yield* atomic_add(done, 1)) === ncpu) {
      xc.xcBusy = false;
      yield* wakeup(xc); // cv_broadcast(xc_busy)
    }
  };
  // one IPI per target, as MIPS's cpu_multicast_ipi sends them: the sender
  // pays for each, and the targets' increments queue on one line
  const self = curcpu().index;
  for (let c = 0; c < ncpu; c++) {
    if (c === self) continue;
    psz.stats.ipis++;
    yield* ipi_send(c, handler, IPL_SOFTSERIAL);
  }
  while ((done.value as number) < ncpu) yield* ksleep(xc);
  psz.xcallSpans.push({ startNs, endNs: nanotime() });
}
