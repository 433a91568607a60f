/*
 * A CPU and the loop that runs kernel code on it.
 *
 * Execution model. A CPU runs the top of its context stack (an LWP at the
 * bottom, interrupt frames above). Kernel code yields operations; most cost a
 * segment of time, which the CPU either finishes at once ("inline") or turns
 * into an event at its end. It finishes a segment inline when it ends before
 * the earliest pending event of the whole simulation: nothing can happen
 * before then that this CPU, or anybody, could observe, so there is no need to
 * go through the event queue. This is the temporal decoupling of fast system
 * simulators (QEMU's TCG loop, SystemC TLM quanta) with a zero-error quantum:
 * a CPU synchronises with the others only where one could tell the difference.
 *
 * Another CPU never runs kernel code from inside this one's loop. What one CPU
 * does to another (an interrupt, a wakeup, a resched) reaches it through an
 * event at the current time, or at once when nobody is running.
 *
 * Interrupts. A source whose level is above the IPL preempts the segment in
 * progress, which keeps exactly its remaining time; one at or below the IPL
 * stays pending until the IPL drops (splx, or an interrupt returning).
 *
 * Scheduling follows kern_synch.c/kern_runq.c in outline: a run queue per CPU,
 * the highest priority runs, a newly runnable LWP of higher priority preempts
 * (via an IPI when it is another CPU's), equals rotate every quantum, an idle
 * CPU steals unbound LWPs from the others. Left out: priority decay of
 * timesharing threads, SMT, CPU sets.
 */

import { lineAdd, lineCas, lineLoad, lineStore, lineSwap } from "./access.js";
import {
  ACCT_IDLE,
  ACCT_INTR,
  ACCT_KERNEL,
  ACCT_SPIN,
  NACCT,
  type TimeSplit,
  toTimeSplit,
} from "./accounting.js";
import { CacheLine } from "./cacheline.js";
import { LIVELOCK_OPS, running } from "./current.js";
import { SimError } from "./errors.js";
import type { EventHandle } from "./event-queue.js";
import type { Host } from "./host.js";
import { IntrSource } from "./intr.js";
import { IPL_NAMES, IPL_NONE, IPL_SCHED, type Ipl, isIpl, NIPL } from "./ipl.js";
import { Context, LSONPROC, LSRUN, LSSLEEP, LSZOMB, Lwp } from "./lwp.js";
import {
  type IpiHandler,
  OP_ADD,
  OP_CAS,
  OP_DELAY,
  OP_FENCE,
  OP_IPI,
  OP_KPREEMPT_ENABLE,
  OP_NONE,
  OP_PREEMPT,
  OP_READ,
  OP_SLEEP,
  OP_SOFTINT_RETURN,
  OP_SPIN,
  OP_SPLRAISE,
  OP_SPLX,
  OP_SWAP,
  OP_WAKEUP,
  OP_WORK,
  OP_WRITE,
  OP_YIELD,
  R,
  RESUME,
  type SpinOptions,
} from "./ops.js";
import { PRI_IDLE } from "./priority.js";
import { RunQueue } from "./runqueue.js";
import type { Simulation } from "./simulation.js";
import { quantizeNs } from "./time.js";

const NO_LINES: readonly CacheLine[] = [];

function segDone(cpu: Cpu): void {
  cpu.segEv = 0;
  cpu.finishSegment(cpu.segCtx!);
  cpu.run();
}

function spinCheck(cpu: Cpu): void {
  cpu.spinEv = 0;
  const ctx = cpu.spinCtx!;
  cpu.stopSpinWait();
  // The spinner re-reads what it watches: the writer now owns those lines.
  let ns = 0;
  for (const line of ctx.spinLines) ns += line.read(cpu, cpu.sim.now);
  ctx.remainNs = ns;
  ctx.segAcct = ACCT_SPIN;
  cpu.run();
}

function kick(cpu: Cpu): void {
  cpu.kickEv = 0;
  cpu.interruptNow();
}

function sliceEnd(cpu: Cpu): void {
  cpu.sliceEv = 0;
  const l = cpu.curlwp;
  if (l !== cpu.idlelwp && cpu.runq.highestPri() >= l.pri) {
    cpu.wantResched = true;
    cpu.interruptNow();
  }
}

function ipiArrive(src: IntrSource): void {
  src.host.cpu(src.cpu).raise(src);
}

function* noop(): Generator<number, void, unknown> {}

/** A softint LWP ready to fire as an interrupt (not one running on as a thread). */
function isFastSoftint(l: Lwp): boolean {
  return l.softIpl !== IPL_NONE && !l.softintBlocked;
}

export class Cpu {
  readonly sim: Simulation;
  /** Costs of this CPU in ns, from the profile (all 0 on an ideal host). */
  readonly nsPerCycle: number;
  readonly cacheHitNs: number;
  readonly lineTransferNs: number;
  readonly invalidateNs: number;
  readonly rmwNs: number;
  readonly intrEntryNs: number;
  readonly intrExitNs: number;
  readonly switchNs: number;
  readonly ipiSendNs: number;
  readonly ipiDeliveryNs: number;
  /** The profile's fences, by kind, and their cost (arrays: see fenceCostNs). */
  private readonly fenceKinds: string[];
  private readonly fenceNs: number[];
  /** Per IPL: bit mask of the IPLs whose hardware level is above it. */
  private readonly above: Int32Array;

  /** Set by setIpl alone, which keeps `deliverable` with it. */
  ipl: Ipl = IPL_NONE;
  private readonly stack: Context[] = [];
  private depth = 1;
  curlwp: Lwp;
  readonly idlelwp: Lwp;
  readonly runq = new RunQueue();
  /** A higher priority LWP (or an equal one, at the end of a slice) waits. */
  wantResched = false;
  /** Written at every context switch, so a spinner can watch who runs here. */
  readonly curlwpLine: CacheLine;

  segEv: EventHandle = 0;
  segEnd = 0;
  segCtx: Context | null = null;
  spinCtx: Context | null = null;
  spinEv: EventHandle = 0;
  kickEv: EventHandle = 0;
  sliceEv: EventHandle = 0;
  private inRun = false;
  private readonly pendq: IntrSource[][] = Array.from({ length: NIPL }, () => []);
  private pendMask = 0;
  /** pendMask & above[ipl], kept with both: the pending interrupts the IPL lets in. */
  private deliverable = 0;
  private readonly frames: Context[] = [];

  private readonly acc = new Float64Array(NACCT);
  private cls = ACCT_IDLE;
  private last = 0;
  private spinOwner: Context | null = null;

  /** SimulationOptions.inPlace. */
  readonly inPlace: boolean;

  /** Operations of this run() since time last passed, those carried out in place included. */
  private llAt = 0;

  /**
   * Times kernel code was resumed by the loop: the operations that went
   * through it (those carried out in place are not counted), for benchmarks.
   */
  ops = 0;

  constructor(
    readonly host: Host,
    readonly index: number,
  ) {
    this.sim = host.sim;
    this.inPlace = host.sim.inPlace;
    const p = host.profile;
    const k = host.ideal ? 0 : 1 / p.clockGHz;
    const c = p.costs;
    this.nsPerCycle = k;
    this.cacheHitNs = quantizeNs(c.cacheHitCycles * k);
    this.lineTransferNs = quantizeNs(c.lineTransferCycles * k);
    this.invalidateNs = quantizeNs(c.invalidatePerSharerCycles * k);
    this.rmwNs = quantizeNs(c.atomicRmwCycles * k);
    this.intrEntryNs = quantizeNs(c.intrEntryCycles * k);
    this.intrExitNs = quantizeNs(c.intrExitCycles * k);
    this.switchNs = quantizeNs(c.contextSwitchCycles * k);
    this.ipiSendNs = quantizeNs(c.ipiSendCycles * k);
    this.ipiDeliveryNs = quantizeNs(c.ipiDeliveryCycles * k);
    this.fenceKinds = Object.keys(c.fenceCycles);
    this.fenceNs = Object.values(c.fenceCycles).map((v) => quantizeNs(v * k));
    this.above = new Int32Array(NIPL);
    for (let i = 0; i < NIPL; i++) {
      for (let j = 0; j < NIPL; j++) {
        if (host.hwLevel(j as Ipl) > host.hwLevel(i as Ipl)) this.above[i]! |= 1 << j;
      }
    }
    this.idlelwp = new Lwp(
      host,
      `idle/${index}`,
      PRI_IDLE,
      this,
      { name: "idle", pri: 0 },
      ACCT_IDLE,
      0,
    );
    this.idlelwp.state = LSONPROC;
    this.curlwp = this.idlelwp;
    this.stack.push(this.idlelwp.ctx);
    this.curlwpLine = new CacheLine(host, `cpu${index}.ci_curlwp`, this.idlelwp);
  }

  get name(): string {
    return `${this.host.name}/cpu${this.index}`;
  }

  /** True while the CPU has nothing to run (its idle LWP is current). */
  get idle(): boolean {
    return this.curlwp === this.idlelwp;
  }

  /** The context running here now (the top of the stack). */
  get curctx(): Context {
    return this.stack[this.depth - 1]!;
  }

  /** Time by class so far, in ns, summing to the simulated time. */
  timeSplit(): TimeSplit {
    this.chargeAcct();
    return toTimeSplit(this.acc);
  }

  /**
   * Changes the accounting class at the current instant. Staying in the
   * same class (every `work` paid in place) charges nothing yet: the time
   * adds up until the class changes, to the same sum, since the machine's
   * times are exact in float64 (time.ts).
   */
  private setAcct(cls: number, owner: Context | null): void {
    if (cls === this.cls && owner === this.spinOwner) return;
    this.chargeAcct();
    this.cls = cls;
    this.spinOwner = owner;
  }

  /** Charges the time since the last charge to the current class. */
  private chargeAcct(): void {
    const now = this.sim.now;
    const dt = now - this.last;
    if (dt !== 0) {
      this.acc[this.cls]! += dt;
      if (this.cls === ACCT_SPIN) this.spinOwner!.spinNs += dt;
      this.last = now;
    }
  }

  /** User/kernel mode switch of the LWP running here (syscall entry and return). */
  setMode(l: Lwp, user: boolean): void {
    if (!l.user) {
      throw new SimError(
        `${l}: syscall_enter/syscall_exit are for user threads; ${l.name} is a kernel thread`,
      );
    }
    const p = this.sim.probe.mode_change;
    if (p.on) p.emit(this, l, user);
    l.userMode = user;
    l.ctx.acct = user ? 0 : l.kacct;
  }

  // ---- the loop ------------------------------------------------------------

  /**
   * Runs this CPU from the current instant until it must wait for time to
   * pass (a segment that ends after the next event), for a spin condition, or
   * for work (idle). Precondition: no segment or spin wait is in flight.
   */
  run(): void {
    const sim = this.sim;
    const prevRunning = running.cpu;
    const prevCtx = running.ctx;
    const prevOps = running.ops;
    running.cpu = this;
    this.inRun = true;
    running.ops = 0;
    this.llAt = sim.now;
    try {
      for (;;) {
        if (++running.ops > LIVELOCK_OPS) this.livelockCheck();
        if (this.deliverable !== 0) {
          this.deliver();
          continue;
        }
        if (this.depth === 1) {
          const l = this.curlwp;
          if (l === this.idlelwp) {
            if (this.idleSwitch()) continue;
            this.setAcct(ACCT_IDLE, null);
            return;
          }
          if (this.wantResched) {
            const si = this.softintDue();
            if (si !== null) {
              this.softintSwitch(si);
              continue;
            }
            if ((l.userMode || this.host.kernelPreemption) && this.preemptible()) {
              this.preemptSwitch();
              continue;
            }
          }
        }
        const ctx = this.stack[this.depth - 1]!;
        if (ctx.remainNs > 0) {
          this.setAcct(ctx.segAcct, ctx);
          const end = sim.now + ctx.remainNs;
          if (end < sim.horizon()) {
            sim.now = end;
            this.finishSegment(ctx);
            continue;
          }
          this.segCtx = ctx;
          this.segEnd = end;
          this.segEv = sim.queue.push(end, segDone, this);
          return;
        }
        if (ctx.exiting) {
          this.intrReturn(ctx);
          continue;
        }
        if (ctx.spinCond !== null) {
          if (!ctx.spinCond()) {
            this.startSpinWait(ctx);
            return;
          }
          this.spinDone(ctx);
        }
        this.ops++;
        RESUME.v = ctx.resume;
        ctx.resume = undefined;
        // ops.ts carries operations out in place only for running.ctx
        running.ctx = this.inPlace ? ctx : null;
        const r = ctx.entry === null ? ctx.gen!.next(RESUME) : this.start(ctx);
        if (r.done === true) {
          this.contextDone(ctx);
          continue;
        }
        this.execute(ctx, r.value);
        if (this.spinCtx !== null) return;
      }
    } catch (e) {
      throw this.annotate(e);
    } finally {
      this.inRun = false;
      running.cpu = prevRunning;
      running.ctx = prevCtx;
      running.ops = prevOps;
    }
  }

  /** An interrupt frame's first resume: its handler's call and first step. */
  private start(ctx: Context): IteratorResult<number, unknown> {
    const gen = ctx.entry!(this)[Symbol.iterator]();
    ctx.entry = null;
    ctx.gen = gen;
    return gen.next(undefined);
  }

  /** Past LIVELOCK_OPS operations (the loop's and ops.ts's): a livelock unless time passed since the count began. */
  livelockCheck(): void {
    const now = this.sim.now;
    if (now === this.llAt) {
      throw new SimError(
        `livelock: ${this.name} ran ${LIVELOCK_OPS} operations without time passing (zero-cost loop on an ideal host?)`,
      );
    }
    this.llAt = now;
    running.ops = 0;
  }

  /**
   * Runs `ns` of the running context `ctx` from inside its code (ops.ts),
   * when the loop would run that segment inline with nothing to do first:
   * no interrupt deliverable, no switch wanted, and the segment ends before
   * the earliest pending event. False: it must go through the loop.
   */
  advance(ctx: Context, ns: number): boolean {
    if (this.wantResched || this.deliverable !== 0) return false;
    // small enough to be inlined into each operation: an ideal host's are all 0
    return ns === 0 || this.advanceClock(ctx, ns);
  }

  /** advance's time: the clock moves to now + ns unless an event comes first. */
  private advanceClock(ctx: Context, ns: number): boolean {
    const sim = this.sim;
    const end = sim.now + ns;
    if (!(end < sim.horizon())) return false;
    this.setAcct(ctx.acct, ctx);
    sim.now = end;
    return true;
  }

  /** Carries out one operation for `ctx`; leaves its cost in ctx.remainNs. */
  private execute(ctx: Context, op: number): void {
    switch (op) {
      case OP_WORK: {
        const cycles = R.a;
        if (!(cycles >= 0 && cycles < Number.POSITIVE_INFINITY)) {
          throw new SimError(`work: cycles must be a non-negative finite number, got ${cycles}`);
        }
        ctx.remainNs = quantizeNs(cycles * this.nsPerCycle);
        ctx.segAcct = ctx.acct;
        return;
      }
      case OP_DELAY: {
        const ns = R.a;
        if (!(ns >= 0 && ns < Number.POSITIVE_INFINITY)) {
          throw new SimError(`delay: ns must be a non-negative finite number, got ${ns}`);
        }
        ctx.remainNs = this.host.ideal ? 0 : quantizeNs(ns);
        ctx.segAcct = ctx.acct;
        return;
      }
      case OP_READ:
        ctx.remainNs = lineLoad(this, ctx, this.lineArg("load"));
        ctx.segAcct = ctx.acct;
        return;
      case OP_WRITE:
        ctx.remainNs = lineStore(this, this.lineArg("store"), R.b);
        ctx.segAcct = ctx.acct;
        return;
      case OP_CAS:
        ctx.remainNs = lineCas(this, ctx, this.lineArg("atomic_cas"), R.b, R.c);
        ctx.segAcct = ctx.acct;
        return;
      case OP_SWAP:
        ctx.remainNs = lineSwap(this, ctx, this.lineArg("atomic_swap"), R.b);
        ctx.segAcct = ctx.acct;
        return;
      case OP_ADD: {
        const line = this.lineArg("atomic_add");
        if (typeof line.value !== "number") {
          throw new SimError(
            `atomic_add: line ${line.name} holds ${String(line.value)}, not a number`,
          );
        }
        ctx.remainNs = lineAdd(this, ctx, line, R.a);
        ctx.segAcct = ctx.acct;
        return;
      }
      case OP_FENCE: {
        const ns = this.fenceCostNs(R.b);
        if (ns === undefined) {
          throw new SimError(
            `membar: profile ${this.host.profile.name} has no fence "${String(R.b)}"; it has: ${this.fenceKinds.join(", ") || "none"}`,
          );
        }
        ctx.remainNs = ns;
        ctx.segAcct = ctx.acct;
        return;
      }
      case OP_SPIN:
        this.beginSpin(ctx, R.lines!, R.fn as () => boolean, R.b as SpinOptions);
        return;
      case OP_SLEEP:
        this.sleep(ctx, R.b, R.a, false);
        return;
      case OP_SOFTINT_RETURN:
        this.sleep(ctx, R.b, 0, true);
        return;
      case OP_WAKEUP:
        ctx.resume = this.host.wakeupChannel(R.b, R.a === 1);
        return;
      case OP_SPLRAISE:
        this.splraise(ctx, this.iplArg("splraise"));
        return;
      case OP_SPLX:
        this.setIpl(this.iplArg("splx"));
        return;
      case OP_IPI:
        this.sendIpi(ctx, R.a, R.fn as IpiHandler, R.b);
        return;
      case OP_NONE:
        return;
      case OP_PREEMPT:
        if (this.wantResched && this.depth === 1 && this.preemptible()) this.preemptSwitch();
        return;
      case OP_YIELD:
        if (this.depth === 1 && this.runq.highestPri() >= this.curlwp.pri) this.preemptSwitch();
        return;
      case OP_KPREEMPT_ENABLE: {
        const l = this.curlwp;
        if (l.nopreempt === 0) {
          throw new SimError(`kpreempt_enable: ${l} has preemption enabled already (unbalanced)`);
        }
        l.nopreempt--;
        if (this.wantResched && this.depth === 1 && this.preemptible()) this.preemptSwitch();
        return;
      }
      default:
        throw new SimError(
          `kernel code yielded ${String(op)}, which is not an operation; use yield* with the operations of @smpnet/sim`,
        );
    }
  }

  /** Called when a segment of `ctx` has run to its end. */
  finishSegment(ctx: Context): void {
    ctx.remainNs = 0;
    if (ctx.nextNs > 0) {
      ctx.remainNs = ctx.nextNs;
      ctx.segAcct = ctx.nextAcct;
      ctx.nextNs = 0;
    }
  }

  private contextDone(ctx: Context): void {
    ctx.gen = null;
    if (this.depth > 1) {
      ctx.exiting = true;
      ctx.remainNs = this.intrExitNs;
      ctx.segAcct = ctx.acct;
      return;
    }
    const l = this.curlwp;
    l.state = LSZOMB;
    const p = this.sim.probe.lwp_exit;
    if (p.on) p.emit(this, l);
    this.switchAway();
  }

  private annotate(e: unknown): unknown {
    if (!(e instanceof SimError) || e.message.includes(" [at ")) return e;
    const ctx = this.stack[this.depth - 1]!;
    const where = this.depth > 1 ? `interrupt ${ctx.name}` : String(this.curlwp);
    e.message = `${e.message} [at ${this.sim.now} ns on ${this.name}, in ${where}]`;
    return e;
  }

  private lineArg(what: string): CacheLine {
    const line = R.line;
    if (!(line instanceof CacheLine)) {
      throw new SimError(
        `${what}: expected a CacheLine (host.cacheline(name)), got ${String(line)}`,
      );
    }
    if (line.host !== this.host) {
      throw new SimError(
        `${what}: line ${line.name} belongs to host ${line.host.name}, not ${this.host.name}`,
      );
    }
    return line;
  }

  private iplArg(what: string): Ipl {
    const ipl = R.a;
    if (!isIpl(ipl)) {
      throw new SimError(`${what}: unknown IPL ${String(ipl)}; use one of ${IPL_NAMES.join(", ")}`);
    }
    return ipl;
  }

  /** The cost of a memory barrier of kind `kind` (membar), if the profile has one. */
  fenceCostNs(kind: unknown): number | undefined {
    // a profile has two or three kinds, and the callers' names are the same
    // interned strings: a scan compares pointers, cheaper than a Map's hash
    const kinds = this.fenceKinds;
    for (let i = 0; i < kinds.length; i++) if (kinds[i] === kind) return this.fenceNs[i];
    return undefined;
  }

  // ---- IPL and interrupts ---------------------------------------------------

  /** splraise's effect: the IPL raised to at least `ipl`, the one it was in ctx.resume. */
  splraise(ctx: Context, ipl: Ipl): void {
    ctx.resume = this.ipl;
    if (this.host.hwLevel(ipl) > this.host.hwLevel(this.ipl)) this.setIpl(ipl);
  }

  /** Sets the IPL (splx's effect); interrupts it unmasks are the loop's to deliver. */
  setIpl(ipl: Ipl): void {
    if (ipl === this.ipl) return;
    const p = this.sim.probe.ipl_change;
    if (p.on) p.emit(this, this.ipl, ipl);
    this.ipl = ipl;
    this.deliverable = this.pendMask & this.above[ipl]!;
  }

  /** An interrupt source asserts on this CPU now. */
  raise(src: IntrSource): void {
    src.raised++;
    if (src.coalesce) {
      if (src.pending[this.index] === 1) {
        src.merged++;
        return;
      }
      src.pending[this.index] = 1;
    }
    this.pendq[src.ipl]!.push(src);
    this.pendMask |= 1 << src.ipl;
    this.deliverable = this.pendMask & this.above[this.ipl]!;
    if (this.deliverable !== 0) this.poke();
  }

  /** Makes this CPU look at its interrupts and run queue now. */
  poke(): void {
    if (this.inRun) return;
    if (running.cpu !== null || !this.sim.dispatching) {
      if (this.kickEv === 0) this.kickEv = this.sim.queue.push(this.sim.now, kick, this);
    } else {
      this.interruptNow();
    }
  }

  /** Stops the segment or spin in flight (keeping what is left) and runs. */
  interruptNow(): void {
    if (this.segEv !== 0) {
      this.sim.queue.cancel(this.segEv);
      this.segEv = 0;
      this.segCtx!.remainNs = this.segEnd - this.sim.now;
    }
    if (this.spinCtx !== null) this.stopSpinWait();
    this.run();
  }

  private deliver(): void {
    const ipl = (31 - Math.clz32(this.deliverable)) as Ipl;
    const q = this.pendq[ipl]!;
    const src = q.shift()!;
    if (q.length === 0) {
      this.pendMask &= ~(1 << ipl);
      this.deliverable = this.pendMask & this.above[this.ipl]!;
    }
    src.pending[this.index] = 0;
    let f = this.frames[this.depth];
    if (f === undefined) {
      f = new Context(ACCT_INTR, null);
      this.frames[this.depth] = f;
    }
    f.acct = ACCT_INTR + ipl;
    f.entry = src.handler;
    f.resume = undefined;
    f.remainNs = this.intrEntryNs;
    f.segAcct = f.acct;
    f.nextNs = 0;
    f.exiting = false;
    f.spinCond = null;
    f.callPath.length = 0;
    f.ipl = ipl;
    f.savedIpl = this.ipl;
    f.name = src.name;
    this.stack[this.depth++] = f;
    const p = this.sim.probe.intr_entry;
    if (p.on) p.emit(this, ipl, src.name);
    this.setIpl(ipl);
  }

  private intrReturn(f: Context): void {
    f.exiting = false;
    this.depth--;
    const p = this.sim.probe.intr_exit;
    if (p.on) p.emit(this, f.ipl, f.name);
    this.setIpl(f.savedIpl);
  }

  private sendIpi(ctx: Context, target: number, handler: IpiHandler, ipl: unknown): void {
    if (!isIpl(ipl) || ipl === IPL_NONE) {
      throw new SimError(
        `ipi: unknown IPL ${String(ipl)}; an IPI runs at an IPL above IPL_NONE (IPL_SOFTCLOCK .. IPL_HIGH)`,
      );
    }
    const cpus = this.host.cpus;
    if (target !== -1) this.host.cpu(target);
    const at = this.sim.now + this.ipiSendNs + this.ipiDeliveryNs;
    const p = this.sim.probe.ipi_send;
    for (const c of cpus) {
      if (target === -1 ? c === this : c.index !== target) continue;
      const src = new IntrSource(
        this.host,
        `ipi from cpu${this.index}`,
        ipl,
        handler,
        c.index,
        false,
      );
      if (p.on) p.emit(this, c);
      this.sim.queue.push(at, ipiArrive, src);
    }
    ctx.remainNs = this.ipiSendNs;
    ctx.segAcct = ctx.acct;
  }

  // ---- spinning --------------------------------------------------------------

  private beginSpin(
    ctx: Context,
    lines: readonly CacheLine[],
    cond: () => boolean,
    o: SpinOptions,
  ) {
    if (typeof cond !== "function") throw new SimError("spin_until: cond must be a function");
    if (!(o?.iterCycles >= 0 && o.iterCycles < Number.POSITIVE_INFINITY)) {
      throw new SimError(
        `spin_until: iterCycles must be a non-negative finite number, got ${String(o?.iterCycles)}`,
      );
    }
    for (const line of lines) {
      if (!(line instanceof CacheLine) || line.host !== this.host) {
        throw new SimError(`spin_until: lines must be cache lines of host ${this.host.name}`);
      }
    }
    if (cond()) {
      ctx.resume = 0;
      return;
    }
    ctx.spinCond = cond;
    ctx.spinLines = lines;
    ctx.spinTag = o.tag ?? null;
    ctx.spinNs = 0;
    ctx.spinBase = this.sim.now;
    ctx.spinLen = quantizeNs(o.iterCycles * this.nsPerCycle);
    ctx.spinMaxLen = Math.max(ctx.spinLen, quantizeNs((o.backoffMaxCycles ?? 0) * this.nsPerCycle));
    const p = this.sim.probe.spin_begin;
    if (p.on) p.emit(this, ctx.spinTag);
    this.startSpinWait(ctx);
  }

  private startSpinWait(ctx: Context): void {
    this.setAcct(ACCT_SPIN, ctx);
    this.spinCtx = ctx;
    for (const line of ctx.spinLines) line.watchers.push(this);
  }

  stopSpinWait(): void {
    const ctx = this.spinCtx!;
    this.setAcct(ACCT_SPIN, ctx);
    this.spinCtx = null;
    if (this.spinEv !== 0) {
      this.sim.queue.cancel(this.spinEv);
      this.spinEv = 0;
    }
    for (const line of ctx.spinLines) {
      const w = line.watchers;
      w.splice(w.indexOf(this), 1);
    }
  }

  private spinDone(ctx: Context): void {
    this.setAcct(ctx.acct, null);
    const p = this.sim.probe.spin_end;
    if (p.on) p.emit(this, ctx.spinTag, ctx.spinNs);
    ctx.resume = ctx.spinNs;
    ctx.spinCond = null;
    ctx.spinLines = NO_LINES;
    ctx.spinTag = null;
  }

  /** A watched line was written: re-test at the spinner's next iteration boundary. */
  lineChanged(): void {
    if (this.spinCtx === null || this.spinEv !== 0) return;
    const ctx = this.spinCtx;
    const now = this.sim.now;
    let at = now;
    if (ctx.spinLen > 0) {
      while (ctx.spinBase + ctx.spinLen < now) {
        if (ctx.spinLen < ctx.spinMaxLen) {
          ctx.spinBase += ctx.spinLen;
          ctx.spinLen = Math.min(ctx.spinLen * 2, ctx.spinMaxLen);
        } else {
          ctx.spinBase += (Math.ceil((now - ctx.spinBase) / ctx.spinLen) - 1) * ctx.spinLen;
        }
      }
      at = ctx.spinBase + ctx.spinLen;
    }
    this.spinEv = this.sim.queue.push(at, spinCheck, this);
  }

  // ---- sleeping and scheduling ----------------------------------------------

  private preemptible(): boolean {
    const l = this.curlwp;
    return l.nopreempt === 0 && !l.neverPreempt && this.ipl === IPL_NONE;
  }

  private sleep(ctx: Context, wchan: unknown, timeoutNs: number, softintReturn: boolean): void {
    if (this.depth > 1) {
      throw new SimError(`sleep: interrupt handler ${ctx.name} may not sleep`);
    }
    const l = this.curlwp;
    if (l.softIpl !== IPL_NONE) {
      if (softintReturn) {
        l.softintBlocked = false;
      } else if (!l.softintBlocked) {
        // softint_block: the pinned LWP gets its CPU back below (switchAway)
        l.softintBlocked = true;
        l.softintBlocks++;
      }
    } else if (softintReturn) {
      throw new SimError(`softint_return: ${l} is not a softint LWP (created without softIpl)`);
    }
    if (wchan === null || wchan === undefined) {
      throw new SimError("sleep: wchan must be an object or value identifying what is waited for");
    }
    if (!(timeoutNs >= 0 && timeoutNs < Number.POSITIVE_INFINITY)) {
      throw new SimError(`sleep: timeoutNs must be a non-negative finite number, got ${timeoutNs}`);
    }
    l.state = LSSLEEP;
    l.wchan = wchan;
    this.host.sleepqInsert(l, wchan);
    if (timeoutNs > 0) l.sleepTimeout = this.host.armSleepTimeout(l, quantizeNs(timeoutNs));
    const p = this.sim.probe.sleep;
    if (p.on) p.emit(this, l, wchan);
    this.switchAway();
  }

  /** A newly runnable LWP was put on this CPU's run queue. */
  noteRunnable(l: Lwp): void {
    const cur = this.curlwp;
    if (cur === this.idlelwp) {
      this.poke();
    } else if (l.pri > cur.pri) {
      this.wantResched = true;
      if (this.inRun) return;
      // cpu_need_resched: another CPU tells this one with an IPI.
      const from = running.cpu;
      const at = this.sim.now + (from ? from.ipiSendNs + from.ipiDeliveryNs : 0);
      const src = new IntrSource(this.host, "resched", IPL_SCHED, noop, this.index, false);
      this.sim.queue.push(at, ipiArrive, src);
    } else if (l.pri === cur.pri) {
      this.armSlice();
    }
  }

  private armSlice(): void {
    if (this.sliceEv === 0 && this.curlwp !== this.idlelwp && !this.host.hardclockSlices) {
      this.sliceEv = this.sim.queue.push(this.sim.now + this.host.quantumNs, sliceEnd, this);
    }
  }

  private switchAway(): void {
    // a softint that sleeps or ends hands the CPU back to the LWP it pinned (mi_switch)
    const back = this.curlwp.switchto;
    if (back !== null) {
      this.curlwp.switchto = null;
      this.switchTo(back);
      return;
    }
    const next = this.runq.dequeue() ?? this.steal() ?? this.idlelwp;
    this.switchTo(next);
  }

  /**
   * The softint LWP that interrupts the running LWP now, if any: the highest
   * one waiting above it, ready to fire, whose IPL is above the CPU's
   * (softint_trigger, then the soft interrupt taken as the IPL drops). One
   * that blocked and runs on as a thread waits for the scheduler instead.
   */
  private softintDue(): Lwp | null {
    const floor = this.curlwp.pri;
    let l = this.runq.peek();
    if (l === null || l.pri <= floor) return null;
    if (!isFastSoftint(l)) l = this.runq.find(floor, isFastSoftint);
    if (l === null || this.host.hwLevel(l.softIpl) <= this.host.hwLevel(this.ipl)) return null;
    return l;
  }

  /** Runs the softint LWP `next`, pinning the current LWP under it (fast softints). */
  private softintSwitch(next: Lwp): void {
    const prev = this.curlwp;
    this.runq.remove(next);
    next.switchto = prev;
    this.switchTo(next);
  }

  /**
   * sched_tick: the clock's scheduler work for the running LWP, called by a
   * hardclock model every rrticks (hosts with `hardclockSlices`). Its slice
   * is over: if an LWP of equal or higher priority waits, switch at the next
   * point where this LWP may be preempted.
   */
  sched_tick(): void {
    const l = this.curlwp;
    if (l !== this.idlelwp && this.runq.highestPri() >= l.pri) this.wantResched = true;
  }

  private preemptSwitch(): void {
    const prev = this.curlwp;
    this.wantResched = false;
    prev.state = LSRUN;
    this.runq.enqueue(prev);
    this.switchTo(this.runq.dequeue()!);
  }

  private idleSwitch(): boolean {
    const next = this.runq.dequeue() ?? this.steal();
    if (next === null) return false;
    this.switchTo(next);
    return true;
  }

  private steal(): Lwp | null {
    const cpus = this.host.cpus;
    for (let k = 1; k < cpus.length; k++) {
      const l = cpus[(this.index + k) % cpus.length]!.runq.stealable();
      if (l !== null) return l;
    }
    return null;
  }

  private switchTo(next: Lwp): void {
    const prev = this.curlwp;
    this.wantResched = false;
    if (next === prev) {
      next.state = LSONPROC;
      return;
    }
    prev.ctx.savedIpl = this.ipl;
    const p = this.sim.probe.context_switch;
    if (p.on) p.emit(this, prev, next);
    this.curlwp = next;
    next.state = LSONPROC;
    next.cpu = this;
    this.stack[0] = next.ctx;
    if (next !== this.idlelwp) {
      next.switches++;
      const ctx = next.ctx;
      if (ctx.nextNs > 0) {
        ctx.remainNs += this.switchNs;
      } else {
        ctx.nextNs = ctx.remainNs;
        ctx.nextAcct = ctx.segAcct;
        ctx.remainNs = this.switchNs;
        ctx.segAcct = ACCT_KERNEL;
      }
    }
    this.setIpl(next.ctx.savedIpl);
    this.curlwpLine.set(next);
    if (this.sliceEv !== 0) {
      this.sim.queue.cancel(this.sliceEv);
      this.sliceEv = 0;
    }
    const waiting = this.runq.highestPri();
    if (waiting >= next.pri) this.armSlice();
    // back to a pinned LWP while a higher one (a lower-level softint) waits
    if (waiting > next.pri) this.wantResched = true;
  }
}
