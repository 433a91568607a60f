/*
 * LWPs (threads) and execution contexts. A CPU runs a stack of contexts: an
 * LWP's context at the bottom and interrupt frames above it. A context is a
 * kernel generator plus what the machine must remember to resume it: the
 * value to hand back to the generator, the rest of a work segment that an
 * interrupt cut short, and the state of a spin in progress.
 */

import type { CacheLine } from "./cacheline.js";
import type { Cpu } from "./cpu.js";
import type { EventHandle } from "./event-queue.js";
import type { Host } from "./host.js";
import type { IntrHandler } from "./intr.js";
import type { Ipl } from "./ipl.js";
import type { SpinCond } from "./ops.js";

/** LWP states, as NetBSD's LSIDL..LSZOMB. */
export const LSRUN = 1;
export const LSONPROC = 2;
export const LSSLEEP = 3;
export const LSZOMB = 4;
export const LSIDLE = 5;

export class Context {
  /**
   * The code this context runs: a generator, or the iterator of what a
   * plain kernel function returned (an interrupt handler may be one).
   */
  gen: Iterator<number, unknown, unknown> | null = null;
  /**
   * An interrupt handler not yet called: it is called at the frame's first
   * resume, after the entry cost, since a plain one runs (and loads the
   * operation register) as it is called; its first step is then taken as
   * yield* takes it, with undefined.
   */
  entry: IntrHandler | null = null;
  /** Value for the generator's next resume (an operation's result). */
  resume: unknown = undefined;
  /** Nanoseconds left of the segment in progress, and its accounting class. */
  remainNs = 0;
  segAcct = 0;
  /** A segment queued after the current one (a preempted LWP's remainder behind its switch-in). */
  nextNs = 0;
  nextAcct = 0;
  /** Accounting class of the code this context runs. */
  acct: number;

  /** Spin in progress: the condition, watched lines, iteration schedule. */
  spinCond: SpinCond | null = null;
  spinLines: readonly CacheLine[] = [];
  spinTag: unknown = null;
  spinBase = 0;
  spinLen = 0;
  spinMaxLen = 0;
  spinNs = 0;

  /**
   * The kernel call path of the code running in this context, innermost
   * last, as kernel functions that name themselves push it (lockstat's
   * callers, lockdebug's reports).
   */
  readonly callPath: string[] = [];

  /** Interrupt frames: level, IPL to restore, name, leaving (exit cost running). */
  ipl: Ipl = 0;
  savedIpl: Ipl = 0;
  name = "";
  exiting = false;

  constructor(
    acct: number,
    readonly lwp: Lwp | null,
  ) {
    this.acct = acct;
  }
}

export interface LwpOptions {
  name: string;
  /** Scheduler priority, 0..223 (see priority.ts). */
  pri: number;
  /** The CPU to start on (index); with `bound`, the only one it runs on. */
  cpu?: number;
  bound?: boolean;
  /** A user thread (runs in user mode until it enters the kernel). */
  user?: boolean;
  /** Accounting class of its kernel time (ACCT_KERNEL, or a softint level's). */
  acct?: number;
  /** May not be preempted by the scheduler (as NetBSD's softint LWPs). */
  nopreempt?: boolean;
  /**
   * A softint LWP of this soft IPL, dispatched as NetBSD's fast softints are
   * (__HAVE_FAST_SOFTINTS): once runnable it interrupts the LWP running on its
   * CPU as soon as the IPL is below this level, whatever kernel preemption
   * allows, runs at this IPL, and that LWP stays pinned under it (l_switchto)
   * until it returns (softint_return) or blocks. One that blocks gives the
   * pinned LWP its CPU back and, once woken, runs as an ordinary thread of
   * its priority until it returns.
   */
  softIpl?: Ipl;
}

export class Lwp {
  state = LSRUN;
  /** l_lid: 1, 2, ... in the order the host created them (0 for idle LWPs). */
  readonly lid: number;
  readonly ctx: Context;
  /** The CPU it runs on, last ran on, or waits for. */
  cpu: Cpu;
  readonly bound: boolean;
  readonly user: boolean;
  /** In user mode (user threads only). */
  userMode: boolean;
  /** Kernel accounting class. */
  readonly kacct: number;
  /** l_nopreempt: kernel preemption disabled while > 0. */
  nopreempt = 0;
  /** l_blcnt: times this LWP holds the kernel lock (kept by @smpnet/core's KERNEL_LOCK). */
  blcnt = 0;
  readonly neverPreempt: boolean;
  wchan: unknown = null;
  sleepTimeout: EventHandle = 0;
  /** Context switches into this LWP. */
  switches = 0;
  /** The soft IPL of a softint LWP, IPL_NONE (0) for every other. */
  readonly softIpl: Ipl;
  /** l_switchto: the LWP this softint LWP pinned, which gets the CPU back when it sleeps. */
  switchto: Lwp | null = null;
  /**
   * A softint LWP that blocked in its dispatch and runs on as a thread, until
   * softint_return: it is scheduled as any LWP of its priority, and does not
   * interrupt the running LWP ("only when it has completed and is ready to
   * fire again will it interrupt other threads", kern_softint.c).
   */
  softintBlocked = false;
  /** Blocks in a dispatch (NetBSD's evcnt "softint <level> block/N", softint_block). */
  softintBlocks = 0;
  /**
   * The priority the scheduler uses (lwp_eprio): the higher of `basePri` and
   * `inheritedPri`. Only Host.lwp_lendpri changes it.
   */
  pri: number;
  /** l_inheritedprio: lent by LWPs blocked on a turnstile this one owns; -1 for none. */
  inheritedPri = -1;

  constructor(
    readonly host: Host,
    readonly name: string,
    /** l_priority: the priority it was created with. */
    readonly basePri: number,
    cpu: Cpu,
    opts: LwpOptions,
    acct: number,
    lid: number,
  ) {
    this.lid = lid;
    this.pri = basePri;
    this.cpu = cpu;
    this.bound = opts.bound ?? false;
    this.user = opts.user ?? false;
    this.userMode = this.user;
    this.kacct = acct;
    this.neverPreempt = opts.nopreempt ?? false;
    this.ctx = new Context(acct, this);
    this.softIpl = opts.softIpl ?? 0;
    // a softint runs its handlers at its own level (softint_dispatch)
    this.ctx.savedIpl = this.softIpl;
  }

  toString(): string {
    return `${this.host.name}/${this.name}`;
  }
}
