/*
 * A host: one machine of the simulation, with its own CPUs, profile, cache
 * lines, sleep queues and interrupt sources. Several hosts share the
 * simulation's clock and event queue (the system under test and the peer at
 * the other end of the wire). An ideal host's work costs no time: a peer
 * that is not the subject of study.
 */

import { ACCT_KERNEL, ACCT_USER } from "./accounting.js";
import { CacheLine } from "./cacheline.js";
import { Cpu } from "./cpu.js";
import { running } from "./current.js";
import { SimError } from "./errors.js";
import type { EventHandle } from "./event-queue.js";
import { type IntrHandler, IntrSource } from "./intr.js";
import { IPL_NAMES, IPL_NONE, IPL_SOFTCLOCK, IPL_SOFTSERIAL, type Ipl, isIpl } from "./ipl.js";
import { LSRUN, LSSLEEP, Lwp, type LwpOptions } from "./lwp.js";
import type { KernelGen } from "./ops.js";
import { isPriority } from "./priority.js";
import { type Profile, validateProfile } from "./profile.js";
import type { Simulation } from "./simulation.js";
import { NS_PER_MS, quantizeNs } from "./time.js";

export interface HostOptions {
  name: string;
  profile: unknown;
  /** Work costs no time on this host (a peer outside the study). */
  ideal?: boolean;
  /**
   * Round-robin quantum among equal priorities. Default 100 ms: NetBSD's
   * rrticks = hz / 10 (sched_4bsd.c; shared/reference/kernel.md section 1).
   */
  quantumNs?: number;
  /**
   * Kernel code may be preempted wherever preemption is enabled
   * (__HAVE_PREEMPTION, as on x86). Without it (default false, as on
   * evbmips), kernel-mode LWPs switch only at preempt(), yield, sleep and
   * kpreempt_enable; user-mode code is always preemptible.
   */
  kernelPreemption?: boolean;
  /**
   * Time slices end only when a hardclock model calls `cpu.sched_tick()`
   * (NetBSD's hardclock -> sched_tick every rrticks), not at the machine's
   * own quantum timer. Default false.
   */
  hardclockSlices?: boolean;
}

export interface IntrOptions {
  name: string;
  ipl: Ipl;
  /** The CPU the source interrupts by default. */
  cpu: number;
  handler: IntrHandler;
}

export interface KthreadOptions extends LwpOptions {
  body: (l: Lwp) => KernelGen<unknown>;
}

function sleepTimedOut(l: Lwp): void {
  l.sleepTimeout = 0;
  if (l.state !== LSSLEEP) return;
  l.host.sleepqRemove(l);
  l.ctx.resume = false;
  l.host.setrunnable(l);
}

export class Host {
  readonly name: string;
  readonly profile: Profile;
  readonly ideal: boolean;
  readonly quantumNs: number;
  readonly kernelPreemption: boolean;
  readonly hardclockSlices: boolean;
  readonly cpus: Cpu[] = [];
  readonly lwps: Lwp[] = [];
  private readonly sleepq = new Map<unknown, Lwp[]>();
  private readonly hw: number[];
  /** Kernel subsystems' per-host state, by HostSlot. */
  readonly slots: unknown[] = [];

  constructor(
    readonly sim: Simulation,
    opts: HostOptions,
  ) {
    this.name = opts.name;
    this.profile = validateProfile(opts.profile, `host ${opts.name}: profile`);
    this.ideal = opts.ideal ?? false;
    const q = opts.quantumNs ?? 100 * NS_PER_MS;
    if (!(q > 0 && q < Number.POSITIVE_INFINITY)) {
      throw new SimError(`host ${opts.name}: quantumNs must be a positive number of ns, got ${q}`);
    }
    this.quantumNs = quantizeNs(q);
    this.kernelPreemption = opts.kernelPreemption ?? false;
    this.hardclockSlices = opts.hardclockSlices ?? false;
    const levels = this.profile.iplLevels;
    this.hw = IPL_NAMES.map((n, i) => (levels ? levels[n] : i));
    for (let i = 0; i < this.profile.cpus; i++) this.cpus.push(new Cpu(this, i));
  }

  /** The hardware level of an IPL on this host's port. */
  hwLevel(ipl: Ipl): number {
    return this.hw[ipl]!;
  }

  /** CPU `i`, or an error naming the CPUs this host has. */
  cpu(i: number): Cpu {
    const c = this.cpus[i];
    if (c === undefined || !Number.isInteger(i)) {
      throw new SimError(
        `host ${this.name}: no cpu ${i} (it has ${this.cpus.length}: 0-${this.cpus.length - 1})`,
      );
    }
    return c;
  }

  /** A cache line holding one word, initially `value`. */
  cacheline(name: string, value: unknown = 0): CacheLine {
    return new CacheLine(this, name, value);
  }

  /** Creates an LWP running `body`; it is runnable at once (kthread_create(9), lwp_create). */
  kthread_create(opts: KthreadOptions): Lwp {
    const where = `kthread_create ${opts.name}`;
    if (!isPriority(opts.pri)) {
      throw new SimError(`${where}: pri must be an integer in 0..223 (see PRI_*), got ${opts.pri}`);
    }
    const cpu = this.cpu(opts.cpu ?? 0);
    if (opts.softIpl !== undefined) {
      if (
        !(isIpl(opts.softIpl) && opts.softIpl >= IPL_SOFTCLOCK && opts.softIpl <= IPL_SOFTSERIAL)
      ) {
        throw new SimError(
          `${where}: softIpl must be IPL_SOFTCLOCK..IPL_SOFTSERIAL (1-4), got ${String(opts.softIpl)}`,
        );
      }
      if (!opts.bound) {
        throw new SimError(
          `${where}: a softint LWP (softIpl) must be bound to its CPU (bound: true)`,
        );
      }
    }
    const kacct = opts.acct ?? ACCT_KERNEL;
    const l = new Lwp(this, opts.name, opts.pri, cpu, opts, kacct, this.lwps.length + 1);
    if (l.user) l.ctx.acct = ACCT_USER;
    l.ctx.gen = opts.body(l);
    this.lwps.push(l);
    this.setrunnable(l);
    return l;
  }

  /** Establishes an interrupt source (intr_establish(9)). */
  intr_establish(opts: IntrOptions): IntrSource {
    if (!isIpl(opts.ipl) || opts.ipl === IPL_NONE) {
      throw new SimError(
        `intr_establish ${opts.name}: unknown IPL ${String(opts.ipl)}; use one of ${IPL_NAMES.slice(1).join(", ")}`,
      );
    }
    this.cpu(opts.cpu);
    return new IntrSource(this, opts.name, opts.ipl, opts.handler, opts.cpu, true);
  }

  /** setrunnable: puts `l` on a CPU's run queue and tells that CPU. */
  setrunnable(l: Lwp): void {
    l.state = LSRUN;
    const target = l.bound ? l.cpu : this.pickCpu(l);
    l.cpu = target;
    target.runq.enqueue(l);
    const p = this.sim.probe.wakeup;
    if (p.on) p.emit(running.cpu, l, l.wchan);
    l.wchan = null;
    target.noteRunnable(l);
  }

  /**
   * lwp_lendpri: `l` inherits priority `pri` (-1: none) from LWPs blocked on a
   * lock it owns, and is re-sorted where it waits: its run queue
   * (sched_lendpri) or its sleep queue (sleepq_lendpri). A running LWP whose
   * priority falls below a waiting one is asked to switch at its next
   * preemption point.
   */
  lwp_lendpri(l: Lwp, pri: number): void {
    l.inheritedPri = pri;
    const eprio = Math.max(l.basePri, pri);
    if (eprio === l.pri) return;
    if (l.state === LSRUN && l.cpu.runq.remove(l)) {
      l.pri = eprio;
      l.cpu.runq.enqueue(l);
      l.cpu.noteRunnable(l);
    } else if (l.state === LSSLEEP) {
      this.sleepqRemove(l);
      l.pri = eprio;
      this.sleepqInsert(l, l.wchan);
    } else {
      l.pri = eprio;
      const cpu = l.cpu;
      if (cpu.curlwp === l && cpu.runq.highestPri() > eprio) cpu.wantResched = true;
    }
  }

  /** sched_takecpu in outline: the last CPU if it is free enough, else an idle one. */
  private pickCpu(l: Lwp): Cpu {
    const last = l.cpu;
    if (last.runq.count === 0 && (last.idle || last.curlwp.pri < l.pri)) return last;
    for (const c of this.cpus) if (c.idle && c.runq.count === 0) return c;
    return last;
  }

  /*
   * Sleep queues, one per wait channel ever slept on (NetBSD hashes them into
   * a fixed sleeptab; a Map keyed by the channel does the same job here).
   * Queues are kept once created, so sleeping and waking allocate nothing.
   */
  sleepqInsert(l: Lwp, wchan: unknown): void {
    let q = this.sleepq.get(wchan);
    if (q === undefined) {
      q = [];
      this.sleepq.set(wchan, q);
    }
    // sorted by priority, FIFO among equals (sleepq_insert with SOBJ_SLEEPQ_SORTED)
    let i = q.length;
    while (i > 0 && q[i - 1]!.pri < l.pri) i--;
    if (i === q.length) q.push(l);
    else q.splice(i, 0, l);
  }

  sleepqRemove(l: Lwp): void {
    const q = this.sleepq.get(l.wchan)!;
    q.splice(q.indexOf(l), 1);
  }

  armSleepTimeout(l: Lwp, ns: number): EventHandle {
    return this.sim.queue.push(this.sim.now + ns, sleepTimedOut, l);
  }

  /** Wakes one or all sleepers on `wchan`; returns how many. */
  wakeupChannel(wchan: unknown, one: boolean): number {
    const q = this.sleepq.get(wchan);
    if (q === undefined || q.length === 0) return 0;
    if (one) {
      this.wake(q.shift()!);
      return 1;
    }
    const n = q.length;
    for (let i = 0; i < n; i++) this.wake(q[i]!);
    // pop, which V8 inlines, rather than `length = 0`, a runtime call (switches 3.2 -> 4.0 M/s)
    while (q.length > 0) q.pop();
    return n;
  }

  private wake(l: Lwp): void {
    if (l.sleepTimeout !== 0) {
      this.sim.queue.cancel(l.sleepTimeout);
      l.sleepTimeout = 0;
    }
    l.ctx.resume = true;
    this.setrunnable(l);
  }
}
