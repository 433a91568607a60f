/*
 * Kernel code is written as generator functions that yield operations to the
 * machine and compose with `yield*`, so a model reads like the C it follows:
 *
 *   function* tcp_input(m) {
 *     yield* work(TCP_INPUT_CYCLES);
 *     const old = yield* atomic_cas(so.so_lock, 0, l);
 *     ...
 *   }
 *
 * An operation loads its arguments into the operation register R and hands
 * `yield*` a shared iterator that yields its opcode once; the machine reads R
 * at once, before any other code runs, so one register serves every CPU.
 *
 * Why not a generator per operation: creating and resuming one costs more
 * than the rest of the machine's work for the operation. The shared iterator
 * allocates nothing. It tells its first call (from `yield*`, always with
 * undefined) from the machine's resume (always with the RESUME box, whose
 * `v` is the operation's result) by its argument, and it returns the same
 * two result objects every time, which `yield*` passes through or reads at
 * once. So an operation must be consumed by `yield*` where it is called.
 *
 * Most operations do not even suspend the generator. The machine runs a
 * segment of time inline when it ends before the earliest pending event and
 * nothing is due on the CPU (cpu.ts); kernel code can do the same from where
 * it stands: `work` advances the clock in place (Cpu.advance) and an
 * operation that cannot switch contexts (a cache-line access, an IPL change,
 * a wakeup, a memory barrier) takes effect from its own call and pays its
 * time the same way (`carried`, `effected` below; a memory operation's
 * effect is access.ts's, shared with the loop). Either hands `yield*` an
 * iterable that is already done. When the
 * condition does not hold, the operation goes through the loop as before,
 * so the result is the same to the bit either way: the generator merely
 * skips a suspension whose loop iteration would have found nothing to do.
 * Operations carried out in place count toward the loop's livelock check
 * (running.ops), so that a zero-time loop on an ideal host is still caught
 * without suspending.
 */

import { lineAdd, lineCas, lineLoad, lineStore, lineSwap } from "./access.js";
import { CacheLine } from "./cacheline.js";
import type { Cpu } from "./cpu.js";
import { LIVELOCK_OPS, running } from "./current.js";
import { SimError } from "./errors.js";
import { type Ipl, isIpl } from "./ipl.js";
import type { Context } from "./lwp.js";
import { quantizeNs } from "./time.js";

/** A kernel function: yields opcodes, receives results, returns T. */
export type KernelGen<T = void> = Generator<number, T, unknown>;

/** One machine operation, to be consumed at once by `yield*`; its value is T. */
export type KernelOp<T> = Iterable<number, T, unknown>;

/** The machine resumes kernel code with this box; `v` is the last operation's result. */
export const RESUME = { v: undefined as unknown };

const PENDING: IteratorYieldResult<number> = { value: 0, done: false };
const DONE: IteratorReturnResult<unknown> = { value: undefined, done: true };
/** The operation's one yield, then (resumed with RESUME) its result. */
function operationStep(x: unknown): IteratorResult<number, unknown> {
  if (x === undefined) return PENDING;
  DONE.value = (x as typeof RESUME).v;
  return DONE;
}
const ITERATOR: Iterator<number, unknown, unknown> = { next: operationStep };
const OPERATION: KernelOp<unknown> = {
  [Symbol.iterator]: () => ITERATOR,
};

const PAID_RESULT: IteratorReturnResult<unknown> = { value: undefined, done: true };
const PAID_ITERATOR: Iterator<number, unknown, unknown> = { next: () => PAID_RESULT };
/** What an operation carried out in place hands `yield*`: finished, with its result. */
const PAID: KernelOp<unknown> = { [Symbol.iterator]: () => PAID_ITERATOR };

/*
 * Plain kernel helpers. A helper that usually does not block (mutex_enter's
 * fast path, a barrier) need not be a generator, as mutex_enter's fast path
 * in C is not a call into the sleep machinery: it issues its operations as
 * plain calls, asks `paid` whether each was carried out in place, and
 * returns `done(result)` when all were; at the first one that was not, it
 * hands `yield*` a generator that consumes that pending operation and goes
 * on (its slow path). The caller writes `yield* helper()` either way.
 */

/** True when `o` was carried out in place: its result is `paidValue()` and nothing is pending. */
export function paid(o: KernelOp<unknown>): boolean {
  return o === PAID;
}

/** The result of the operation `paid` has just accepted (read before the next operation). */
export function paidValue(): unknown {
  return PAID_RESULT.value;
}

/** A finished operation whose value is `v`: what a plain helper returns when nothing stopped it. */
export function done<T>(v: T): KernelOp<T> {
  PAID_RESULT.value = v;
  return PAID as KernelOp<T>;
}

/**
 * A plain helper's slow path in one line: `pending`, an operation (or helper)
 * that `paid` refused, then `rest(...args, value)`. `rest` is the same plain
 * continuation the fast path calls when the operation was paid, so the code
 * after each operation is written once:
 *
 *   const o = load(cc.line);
 *   return paid(o) ? loaded(pc, cc) : after(o, loaded, pc, cc);
 *
 * The arguments are passed, not captured: a closure in the fast path's
 * function would cost an allocation on every call (its captured variables).
 * At most eight.
 */
export function after<U>(
  pending: KernelOp<unknown>,
  // the arguments' types are the caller's to match: TypeScript cannot infer a tuple
  // followed by the operation's value from a continuation that ignores the value
  rest: (...args: never[]) => KernelOp<U>,
  a0?: unknown,
  a1?: unknown,
  a2?: unknown,
  a3?: unknown,
  a4?: unknown,
  a5?: unknown,
  a6?: unknown,
  a7?: unknown,
): KernelOp<U> {
  // biome-ignore lint/complexity/noArguments: counted without a rest array, which would allocate
  const n = arguments.length - 2;
  if (n > 8) throw new SimError(`after: ${n} arguments for the continuation; at most 8`);
  return new After<U>(pending, rest as Rest<U>, n, a0, a1, a2, a3, a4, a5, a6, a7);
}

type Rest<U> = (...a: unknown[]) => KernelOp<U>;

/*
 * What `after` hands `yield*`: an iterator, not a generator. A slow path
 * is taken each time an operation goes through the loop, at every level of
 * plain functions between it and the nearest generator, and a generator
 * object and the array of its arguments cost about twice what this does.
 * It relays the pending operation's yields and resumes, then calls the
 * continuation by arity (a spread would allocate) and relays what that
 * returns, to the end; a continuation that finished in place gives its
 * value without the iterator protocol. Kernel code never calls `throw` or
 * `return` on what it delegates to, so `next` is all it needs.
 */
class After<U> implements Iterator<number, U, unknown> {
  private it: Iterator<number, unknown, unknown>;
  private continued = false;
  constructor(
    pending: KernelOp<unknown>,
    private rest: Rest<U>,
    private n: number,
    private a0: unknown,
    private a1: unknown,
    private a2: unknown,
    private a3: unknown,
    private a4: unknown,
    private a5: unknown,
    private a6: unknown,
    private a7: unknown,
  ) {
    this.it = pending[Symbol.iterator]();
  }

  [Symbol.iterator](): Iterator<number, U, unknown> {
    return this;
  }

  next(x?: unknown): IteratorResult<number, U> {
    let r = step(this.it, x);
    while (r.done && !this.continued) {
      this.continued = true;
      const o = this.resume(r.value);
      if (o === PAID) return PAID_RESULT as IteratorReturnResult<U>;
      if (o instanceof After) this.become(o as After<U>);
      else this.it = o[Symbol.iterator]();
      r = step(this.it, undefined);
    }
    return r as IteratorResult<number, U>;
  }

  /*
   * The continuation returned another `after` (a plain loop's next slow
   * step): this one takes its place rather than relaying it, so that a
   * loop whose every step goes through the loop runs at a constant depth
   * instead of nesting one level per step. Its value is this one's, and
   * nothing else holds it: it was made for this return.
   */
  private become(o: After<U>): void {
    this.it = o.it;
    this.continued = o.continued;
    this.rest = o.rest;
    this.n = o.n;
    this.a0 = o.a0;
    this.a1 = o.a1;
    this.a2 = o.a2;
    this.a3 = o.a3;
    this.a4 = o.a4;
    this.a5 = o.a5;
    this.a6 = o.a6;
    this.a7 = o.a7;
  }

  private resume(v: unknown): KernelOp<U> {
    const rest = this.rest;
    switch (this.n) {
      case 0:
        return rest(v);
      case 1:
        return rest(this.a0, v);
      case 2:
        return rest(this.a0, this.a1, v);
      case 3:
        return rest(this.a0, this.a1, this.a2, v);
      case 4:
        return rest(this.a0, this.a1, this.a2, this.a3, v);
      case 5:
        return rest(this.a0, this.a1, this.a2, this.a3, this.a4, v);
      case 6:
        return rest(this.a0, this.a1, this.a2, this.a3, this.a4, this.a5, v);
      case 7:
        return rest(this.a0, this.a1, this.a2, this.a3, this.a4, this.a5, this.a6, v);
      default:
        return rest(this.a0, this.a1, this.a2, this.a3, this.a4, this.a5, this.a6, this.a7, v);
    }
  }
}

/*
 * One step of what an `After` waits on. Each resume of a suspended context
 * passes down the chain of `After`s to the operation at its end; one call
 * site for every kind of iterator would be megamorphic, so the two common
 * kinds get their own: another `After`, and an operation for the loop.
 */
function step(it: Iterator<number, unknown, unknown>, x: unknown): IteratorResult<number, unknown> {
  if (it instanceof After) return it.next(x);
  if (it === ITERATOR) return operationStep(x);
  return it.next(x);
}

/** The running context, if it may skip the loop for this operation (counted toward the livelock check). */
function unsuspendable(): Context | null {
  // null unless operations may be carried out in place (Cpu.run)
  const ctx = running.ctx;
  if (ctx !== null && ++running.ops > LIVELOCK_OPS) running.cpu!.livelockCheck();
  return ctx;
}

/** An operation for the loop (registers in R), which counts it. */
function op<T>(code: number): KernelOp<T> {
  PENDING.value = code;
  return OPERATION as KernelOp<T>;
}

/**
 * An operation carried out in place that cost `ns` (its result in
 * ctx.resume): paid here if Cpu.advance can, else the loop pays the time,
 * delivers what is due first, and resumes the code with the result.
 */
function carried<T>(ctx: Context, ns: number): KernelOp<T> {
  if (running.cpu!.advance(ctx, ns)) return paidOut(ctx);
  ctx.remainNs = ns;
  ctx.segAcct = ctx.acct;
  PENDING.value = OP_NONE;
  return OPERATION as KernelOp<T>;
}

/**
 * An operation carried out in place that costs no time (an IPL change, a
 * wakeup): done, unless it unmasked an interrupt or wants a switch, which
 * the loop sees to before it resumes the code with the result.
 */
function effected<T>(ctx: Context): KernelOp<T> {
  if (running.cpu!.advance(ctx, 0)) return paidOut(ctx);
  PENDING.value = OP_NONE;
  return OPERATION as KernelOp<T>;
}

function paidOut<T>(ctx: Context): KernelOp<T> {
  PAID_RESULT.value = ctx.resume;
  ctx.resume = undefined;
  return PAID as KernelOp<T>;
}

export const OP_WORK = 0;
export const OP_DELAY = 1;
export const OP_READ = 2;
export const OP_WRITE = 3;
export const OP_CAS = 4;
export const OP_SWAP = 5;
export const OP_ADD = 6;
export const OP_FENCE = 7;
export const OP_SPIN = 8;
export const OP_SLEEP = 9;
export const OP_WAKEUP = 10;
export const OP_SPLRAISE = 11;
export const OP_SPLX = 12;
export const OP_IPI = 13;
export const OP_PREEMPT = 14;
export const OP_YIELD = 15;
export const OP_KPREEMPT_ENABLE = 16;
export const OP_SOFTINT_RETURN = 17;
/** An operation already carried out in place: the loop only pays its time. */
export const OP_NONE = 18;

/** An IPI handler: runs on the target CPU as an interrupt at the IPI's IPL. */
export type IpiHandler = (cpu: Cpu) => KernelGen<void>;

/** The spin condition: re-evaluated when one of the watched lines is written. */
export type SpinCond = () => boolean;

export interface SpinOptions {
  /** Cycles of one iteration of the spin loop (the read and the test). */
  iterCycles: number;
  /** Exponential backoff: iterations double up to this many cycles (SPINLOCK_BACKOFF). */
  backoffMaxCycles?: number;
  /** What is spun on, for the spin probes and lockstat (usually the lock). */
  tag?: unknown;
}

/** The operation register: loaded by an operation, read by the machine at once. */
export const R = {
  a: 0 as number,
  b: undefined as unknown,
  c: undefined as unknown,
  line: null as CacheLine | null,
  lines: null as readonly CacheLine[] | null,
  fn: null as unknown,
};

/** Do `cycles` cycles of work on the current CPU (preemptible by interrupts). */
export function work(cycles: number): KernelOp<void> {
  const ctx = unsuspendable();
  // a bad count goes through the loop, which names it
  if (ctx !== null && cycles >= 0) {
    const cpu = running.cpu!;
    // an ideal host's work is 0 ns: no rounding (NaN, from a bad count, still goes on)
    const ns = cycles * cpu.nsPerCycle;
    if (cpu.advance(ctx, ns === 0 ? 0 : quantizeNs(ns))) return PAID as KernelOp<void>;
  }
  R.a = cycles;
  PENDING.value = OP_WORK;
  return OPERATION as KernelOp<void>;
}

/** Busy-wait `ns` nanoseconds whatever the clock (DELAY(9) in microseconds * 1000). */
export function delay(ns: number): KernelOp<void> {
  const ctx = unsuspendable();
  if (ctx !== null && ns >= 0) {
    const cpu = running.cpu!;
    if (cpu.advance(ctx, cpu.host.ideal ? 0 : quantizeNs(ns))) return PAID as KernelOp<void>;
  }
  R.a = ns;
  PENDING.value = OP_DELAY;
  return OPERATION as KernelOp<void>;
}

/*
 * The memory operations: when the running context may skip the loop and
 * the line is one of its CPU's host, the operation's own call carries it
 * out (access.ts, as the loop would) and pays its time with Cpu.advance,
 * with no register, opcode or switch in between (27-43 ns an operation
 * before, 20-23 after). A line that is not a CacheLine of the host goes
 * through the loop, which names what is wrong with it.
 */

/** The running context, if it may carry out an access to `line` in place. */
function accessor(line: CacheLine): Context | null {
  const ctx = unsuspendable();
  if (ctx === null || !(line instanceof CacheLine) || line.host !== running.cpu!.host) return null;
  return ctx;
}

/** Load a word from a cache line; pays a transfer if another CPU has it. */
export function load(line: CacheLine): KernelOp<unknown> {
  const ctx = accessor(line);
  if (ctx !== null) return carried(ctx, lineLoad(running.cpu!, ctx, line));
  R.line = line;
  PENDING.value = OP_READ;
  return OPERATION;
}

/** Store a word to a cache line; pays for owning it and invalidating sharers. */
export function store(line: CacheLine, value: unknown): KernelOp<void> {
  const ctx = accessor(line);
  if (ctx !== null) return carried(ctx, lineStore(running.cpu!, line, value));
  R.line = line;
  R.b = value;
  PENDING.value = OP_WRITE;
  return OPERATION as KernelOp<void>;
}

/** atomic_cas: stores `value` if the line holds `expected`; returns the old word. */
export function atomic_cas(line: CacheLine, expected: unknown, value: unknown): KernelOp<unknown> {
  const ctx = accessor(line);
  if (ctx !== null) return carried(ctx, lineCas(running.cpu!, ctx, line, expected, value));
  R.line = line;
  R.b = expected;
  R.c = value;
  PENDING.value = OP_CAS;
  return OPERATION;
}

/** atomic_swap: stores `value`, returns the old word. */
export function atomic_swap(line: CacheLine, value: unknown): KernelOp<unknown> {
  const ctx = accessor(line);
  if (ctx !== null) return carried(ctx, lineSwap(running.cpu!, ctx, line, value));
  R.line = line;
  R.b = value;
  PENDING.value = OP_SWAP;
  return OPERATION;
}

/** atomic_add_nv: adds `delta` to a numeric word, returns the new value. */
export function atomic_add(line: CacheLine, delta: number): KernelOp<number> {
  const ctx = accessor(line);
  // a word that is not a number goes through the loop, which names it
  if (ctx !== null && typeof line.value === "number") {
    return carried(ctx, lineAdd(running.cpu!, ctx, line, delta));
  }
  R.line = line;
  R.a = delta;
  PENDING.value = OP_ADD;
  return OPERATION as KernelOp<number>;
}

/** A memory barrier of the kind the profile names (`sync`, `syncw`, `mfence`). */
export function membar(kind: string): KernelOp<void> {
  const ctx = unsuspendable();
  if (ctx !== null) {
    // a kind the profile lacks goes through the loop, which names it
    const ns = running.cpu!.fenceCostNs(kind);
    if (ns !== undefined) return carried(ctx, ns);
  }
  R.b = kind;
  PENDING.value = OP_FENCE;
  return OPERATION as KernelOp<void>;
}

/**
 * Spin until `cond()` holds, re-testing it when one of `lines` is written (at
 * the next iteration boundary). Costs CPU time, accounted as spin; interrupts
 * above the IPL still preempt. Returns the nanoseconds spent spinning.
 * `cond` must depend only on state whose change writes one of `lines`.
 */
export function spin_until(
  lines: readonly CacheLine[],
  cond: SpinCond,
  opts: SpinOptions,
): KernelOp<number> {
  R.lines = lines;
  R.fn = cond;
  R.b = opts;
  return op(OP_SPIN);
}

/**
 * Sleep on a wait channel until woken (true) or, with a timeout, until it
 * passes (false). Only an LWP may sleep, never an interrupt handler.
 */
export function sleep(wchan: unknown, timeoutNs = 0): KernelOp<boolean> {
  R.b = wchan;
  R.a = timeoutNs;
  return op(OP_SLEEP);
}

/**
 * The end of a softint LWP's dispatch (softint_dispatch marking it LSIDL):
 * it waits on `wchan` for its next trigger, and the CPU goes back to the LWP
 * it pinned, or, if it blocked meanwhile and so ran on as a thread, to the
 * next LWP of the run queue (mi_switch). Any other sleep of a softint LWP is
 * a block (softint_block). Only softint LWPs (softIpl) may call it.
 */
export function softint_return(wchan: unknown): KernelOp<boolean> {
  R.b = wchan;
  R.a = 0;
  return op(OP_SOFTINT_RETURN);
}

/** Make the first (highest priority, then oldest) sleeper on `wchan` runnable. */
export function wakeup_one(wchan: unknown): KernelOp<number> {
  return wakeupOp(wchan, 1);
}

/** Make every sleeper on `wchan` runnable; returns how many. */
export function wakeup(wchan: unknown): KernelOp<number> {
  return wakeupOp(wchan, 0);
}

function wakeupOp(wchan: unknown, one: number): KernelOp<number> {
  const ctx = unsuspendable();
  if (ctx !== null) {
    ctx.resume = running.cpu!.host.wakeupChannel(wchan, one === 1);
    return effected(ctx);
  }
  R.b = wchan;
  R.a = one;
  PENDING.value = OP_WAKEUP;
  return OPERATION as KernelOp<number>;
}

/** Raise the IPL to at least `ipl`; returns the previous IPL for splx. */
export function splraise(ipl: Ipl): KernelOp<Ipl> {
  const ctx = unsuspendable();
  // an unknown IPL goes through the loop, which names it
  if (ctx !== null && isIpl(ipl)) {
    running.cpu!.splraise(ctx, ipl);
    return effected(ctx);
  }
  R.a = ipl;
  PENDING.value = OP_SPLRAISE;
  return OPERATION as KernelOp<Ipl>;
}

/** Set the IPL (usually back to what splraise returned); runs pending interrupts above it. */
export function splx(ipl: Ipl): KernelOp<void> {
  const ctx = unsuspendable();
  if (ctx !== null && isIpl(ipl)) {
    running.cpu!.setIpl(ipl);
    return effected(ctx);
  }
  R.a = ipl;
  PENDING.value = OP_SPLX;
  return OPERATION as KernelOp<void>;
}

/** Send an IPI to CPU `target` of this host; `handler` runs there at `ipl`. */
export function ipi_send(target: number, handler: IpiHandler, ipl: Ipl): KernelOp<void> {
  R.a = target;
  R.fn = handler;
  R.b = ipl;
  return op(OP_IPI);
}

/** Send an IPI to every other CPU of this host (ipi_broadcast excludes the sender). */
export function ipi_broadcast(handler: IpiHandler, ipl: Ipl): KernelOp<void> {
  R.a = -1;
  R.fn = handler;
  R.b = ipl;
  return op(OP_IPI);
}

/** A kernel preemption point: switch if a higher priority LWP waits for this CPU. */
export function preempt(): KernelOp<void> {
  const ctx = unsuspendable();
  // nothing to do unless a switch is wanted, and switching is the loop's
  if (ctx !== null && !running.cpu!.wantResched) return effected(ctx);
  PENDING.value = OP_PREEMPT;
  return OPERATION as KernelOp<void>;
}

/** yield(2) in the kernel: give the CPU to any waiting LWP of equal or higher priority. */
export function yield_cpu(): KernelOp<void> {
  return op(OP_YIELD);
}

/** kpreempt_enable: end a no-preemption section; a deferred preemption happens here. */
export function kpreempt_enable(): KernelOp<void> {
  const ctx = unsuspendable();
  const cpu = running.cpu!;
  // an unbalanced call goes through the loop, which names it
  if (ctx !== null && !cpu.wantResched && cpu.curlwp.nopreempt > 0) {
    cpu.curlwp.nopreempt--;
    return effected(ctx);
  }
  PENDING.value = OP_KPREEMPT_ENABLE;
  return OPERATION as KernelOp<void>;
}
