/*
 * The network softint's work queue, after NetBSD sys/net/pktqueue.c (v1.22):
 * a bounded queue per CPU that a driver's interrupt fills and the network
 * handler of that CPU drains, calling the protocol's input function
 * (ip_input) for each item. A full queue drops.
 *
 * pktq_enqueue(pq, m, hash) puts m on the queue of CPU hash % ncpu and
 * schedules the handler there (softint_schedule_cpu: an IPI when that is
 * another CPU). The caller computes the hash with pktq_rps_hash and the
 * hash function its sysctl names (net.ether.rps_hash for ip_pktq):
 * pktq_rps_hash_default is pktq_rps_hash_zero on a GENERIC kernel, so every
 * packet is processed on CPU 0 and the other CPUs' interrupts pay an IPI
 * each; pktq_rps_hash_curcpu (the default with NET_MPSAFE) keeps it on the
 * CPU that took the interrupt; a flow hash (Toeplitz over the 4-tuple,
 * which the caller supplies) spreads flows over the CPUs.
 *
 * How it is drained is the kernel's softint variant (config.ts):
 *
 *   netbsd    pktq_enqueue schedules the SOFTINT_NET handler, which loops
 *             until the queue is empty (ipintr).
 *   budget    the handler stops after budget.items items or budget.timeNs
 *             and reschedules itself (net_rx_action); a burst of runs longer
 *             than budget.maxRestarts restarts or budget.restartTimeNs moves
 *             the queue to the CPU's kernel thread ("ksoftnet/N", as
 *             __do_softirq wakes ksoftirqd), which drains it a budget at a
 *             time with a preemption point between, while new items wait for
 *             it rather than for the softint; once empty, the softint takes
 *             over again.
 *   threaded  pktq_enqueue wakes the CPU's kernel thread ("netisr/N", as
 *             FreeBSD's netisr in deferred dispatch), which takes one item
 *             at a time with a preemption point after each.
 *
 * In every variant one CPU's queue has one consumer at a time, so items of
 * a flow that go to one CPU are processed in the order they were queued.
 *
 * Left out: pktq_barrier, pktq_flush, pktq_set_maxlen, the per-CPU counters'
 * cross-call (the model sums them directly).
 */

import {
  after,
  type Cpu,
  curcpu,
  done,
  type Host,
  type KernelGen,
  type KernelOp,
  nanotime,
  paid,
  preempt,
  SimError,
  sleep,
  wakeup,
  work,
} from "@smpnet/sim";
import type { ResolvedConfig, SoftintVariant } from "./config.js";
import { IFQ_MAXLEN, PKTQ_ENQUEUE_CYCLES } from "./constants.js";
import { SOFTINT_MPSAFE, SOFTINT_NET, SOFTINT_RCPU } from "./levels.js";
import {
  type SoftintHandle,
  softint_establish,
  softint_schedule,
  softint_schedule_cpu,
} from "./softint.js";
import { system } from "./system.js";

export type PktqInput<T> = (m: T) => KernelOp<void>;

/**
 * What the consumer takes around a run over the queue: ipintr wraps its
 * loop in SOFTNET_KERNEL_LOCK_UNLESS_NET_MPSAFE (ip_input.c), once per run,
 * not per packet. A run is one softint dispatch (netbsd), one budget
 * (budget's softint and thread) or one item (threaded).
 */
export interface PktqDrain {
  enter(): KernelOp<void>;
  exit(): KernelOp<void>;
}

/** pktq_rps_hash_func_t: a packet's hash; pktq_enqueue takes it modulo the CPUs. */
export type PktqRpsHashFunc<T> = (m: T) => number;

/** Every packet to CPU 0. */
export function pktq_rps_hash_zero(_m: unknown): number {
  return 0;
}

/** The CPU the caller runs on (call it from kernel code). */
export function pktq_rps_hash_curcpu(_m: unknown): number {
  return curcpu().index;
}

/** A GENERIC kernel's: pktq_rps_hash_zero (pktq_rps_hash_curcpu with options NET_MPSAFE). */
export const pktq_rps_hash_default: PktqRpsHashFunc<unknown> = pktq_rps_hash_zero;

/**
 * `hash % n` for a uint32 hash and n up to 2^15, as `hash % ncpu` in C: in
 * small-integer arithmetic, since a uint32 at or above 2^31 is a double
 * here and `%` of a double a floating-point remainder.
 */
export function hash_mod(hash: number, n: number): number {
  return (((hash >>> 16) % n) * 0x10000 + (hash & 0xffff)) % n;
}

/** pktq_rps_hash: `func`'s hash of `m`, checked to be a uint32. */
export function pktq_rps_hash<T>(func: PktqRpsHashFunc<T>, m: T): number {
  const h = func(m);
  if (!(Number.isInteger(h) && h >= 0 && h <= 0xffff_ffff)) {
    throw new SimError(
      `pktq_rps_hash: ${func.name || "the hash function"} returned ${String(h)}; a hash is an integer in 0..2^32-1`,
    );
  }
  return h;
}

/** One CPU's queue and the state of its consumer. */
class PktqCpu<T> {
  readonly q: T[] = [];
  head = 0;
  /** budget: the queue belongs to the thread until it is empty. */
  deferred = false;
  /** budget: the last run ended by rescheduling itself. */
  rescheduled = false;
  restarts = 0;
  burstStartNs = 0;
  threadAsleep = false;
  enqueued = 0;
  dropped = 0;
  processed = 0;
  /** budget: runs that stopped at the budget, and hand-offs to the thread. */
  squeezed = 0;
  handoffs = 0;

  constructor(readonly cpu: Cpu) {}

  get length(): number {
    return this.q.length - this.head;
  }

  take(): T | undefined {
    if (this.head === this.q.length) return undefined;
    const m = this.q[this.head++]!;
    if (this.head === this.q.length) {
      this.q.length = 0;
      this.head = 0;
    }
    return m;
  }
}

export interface PktqStats {
  enqueued: number;
  dropped: number;
  processed: number;
  squeezed: number;
  handoffs: number;
}

export class pktqueue_t<T> {
  readonly variant: SoftintVariant;
  readonly cpus: PktqCpu<T>[];
  readonly sih: SoftintHandle | null;

  constructor(
    readonly host: Host,
    readonly name: string,
    readonly maxlen: number,
    readonly input: PktqInput<T>,
    readonly config: ResolvedConfig,
    readonly drain: PktqDrain | null,
  ) {
    this.variant = config.variant;
    this.cpus = host.cpus.map((c: Cpu) => new PktqCpu<T>(c));
    this.sih =
      this.variant === "threaded"
        ? null
        : softint_establish(
            host,
            SOFTINT_NET | SOFTINT_MPSAFE | SOFTINT_RCPU,
            pktq_softint<T>,
            this,
            name,
          );
    if (this.variant !== "netbsd") {
      const threadName = this.variant === "budget" ? "ksoftnet" : "netisr";
      for (const pc of this.cpus) {
        host.kthread_create({
          name: `${threadName}/${pc.cpu.index}`,
          pri: config.threadPri,
          cpu: pc.cpu.index,
          bound: true,
          body: () => (this.variant === "budget" ? ksoftnet(this, pc) : netisr(this, pc)),
        });
      }
    }
  }

  stats(): PktqStats {
    const s = { enqueued: 0, dropped: 0, processed: 0, squeezed: 0, handoffs: 0 };
    for (const pc of this.cpus) {
      s.enqueued += pc.enqueued;
      s.dropped += pc.dropped;
      s.processed += pc.processed;
      s.squeezed += pc.squeezed;
      s.handoffs += pc.handoffs;
    }
    return s;
  }
}

/**
 * pktq_create: a queue of at most `maxlen` items per CPU (IFQ_MAXLEN by
 * default) whose items go to `input`, drained as the host's variant says,
 * each run of the consumer inside `drain` when one is given.
 */
export function pktq_create<T>(
  host: Host,
  name: string,
  input: PktqInput<T>,
  maxlen: number = IFQ_MAXLEN,
  drain: PktqDrain | null = null,
): pktqueue_t<T> {
  const sys = system(host);
  if (!Number.isInteger(maxlen) || maxlen < 1) {
    throw new SimError(
      `pktq_create ${name}: maxlen must be a positive integer, got ${String(maxlen)}`,
    );
  }
  return new pktqueue_t(host, name, maxlen, input, sys.config, drain);
}

function* wakeThread(pc: PktqCpu<unknown>): KernelGen {
  if (pc.threadAsleep) {
    pc.threadAsleep = false;
    yield* wakeup(pc);
  }
}

/**
 * pktq_enqueue: queues `m` on CPU `hash` % ncpu (from the driver's
 * interrupt, or with preemption disabled) and starts that CPU's consumer;
 * false when its queue was full and `m` dropped. Drops and enqueues count
 * on the target CPU's queue.
 */
export function pktq_enqueue<T>(pq: pktqueue_t<T>, m: T, hash: number): KernelOp<boolean> {
  if (!(Number.isInteger(hash) && hash >= 0 && hash <= 0xffff_ffff)) {
    throw new SimError(
      `pktq_enqueue ${pq.name}: hash must be an integer in 0..2^32-1 (pktq_rps_hash(pktq_rps_hash_default, m)), got ${String(hash)}`,
    );
  }
  const pc = pq.cpus[hash_mod(hash, pq.cpus.length)]!;
  // plain unless an operation must go through the loop (sim's ops.ts, "Plain kernel helpers")
  const o = work(PKTQ_ENQUEUE_CYCLES);
  return paid(o) ? pktq_put(pq, pc, m) : after(o, pktq_put, pq, pc, m);
}

function pktq_put<T>(pq: pktqueue_t<T>, pc: PktqCpu<T>, m: T): KernelOp<boolean> {
  if (pc.length >= pq.maxlen) {
    pc.dropped++;
    return done(false);
  }
  pc.q.push(m);
  pc.enqueued++;
  const o =
    pq.variant === "threaded" || pc.deferred
      ? wakeThread(pc)
      : softint_schedule_cpu(pq.sih!, pc.cpu);
  return paid(o) ? done(true) : after(o, done, true);
}

/**
 * The SOFTINT_NET handler: ipintr, plain unless an operation must go
 * through the loop (sim's ops.ts, "Plain kernel helpers"), as it runs for
 * every burst of packets; or net_rx_action with a budget.
 */
function pktq_softint<T>(pq: pktqueue_t<T>): KernelOp<void> {
  if (pq.variant !== "netbsd") return pktq_softint_budget(pq);
  const pc = pq.cpus[curcpu().index]!;
  const drain = pq.drain;
  if (drain === null) return ipintr_loop(pq, pc);
  const o = drain.enter();
  return paid(o) ? ipintr_loop(pq, pc) : after(o, ipintr_loop, pq, pc);
}

/** ipintr's loop: every packet on this CPU's queue, then the drain's exit. */
function ipintr_loop<T>(pq: pktqueue_t<T>, pc: PktqCpu<T>): KernelOp<void> {
  for (let m = pc.take(); m !== undefined; m = pc.take()) {
    const o = pq.input(m);
    if (!paid(o)) return ipintr_slow(pq, pc, o);
    pc.processed++;
  }
  return pq.drain === null ? done(undefined) : pq.drain.exit();
}

/**
 * The loop on from a packet whose input went through the loop: a generator,
 * since `after` per packet would nest without bound on a queue that keeps
 * filling.
 */
function* ipintr_slow<T>(pq: pktqueue_t<T>, pc: PktqCpu<T>, pending: KernelOp<void>): KernelGen {
  yield* pending;
  pc.processed++;
  for (let m = pc.take(); m !== undefined; m = pc.take()) {
    yield* pq.input(m);
    pc.processed++;
  }
  if (pq.drain !== null) yield* pq.drain.exit();
}

/** net_rx_action: at most a budget of packets or time, then again or the thread. */
function* pktq_softint_budget<T>(pq: pktqueue_t<T>): KernelGen {
  const pc = pq.cpus[curcpu().index]!;
  const drain = pq.drain;
  if (pc.deferred) return; // a run queued before the hand-off: the thread has the queue now
  const b = pq.config.budget;
  const start = nanotime();
  if (!pc.rescheduled) {
    pc.burstStartNs = start;
    pc.restarts = 0;
  }
  pc.rescheduled = false;
  if (drain !== null) yield* drain.enter();
  for (let n = 0; n < b.items && nanotime() - start < b.timeNs; n++) {
    const m = pc.take();
    if (m === undefined) break;
    yield* pq.input(m);
    pc.processed++;
  }
  if (drain !== null) yield* drain.exit();
  if (pc.length === 0) return;
  pc.squeezed++;
  if (pc.restarts < b.maxRestarts && nanotime() - pc.burstStartNs < b.restartTimeNs) {
    pc.restarts++;
    pc.rescheduled = true;
    yield* softint_schedule(pq.sih!);
  } else {
    pc.deferred = true;
    pc.handoffs++;
    yield* wakeThread(pc);
  }
}

/** budget: the per-CPU thread that drains a queue handed to it (ksoftirqd). */
function* ksoftnet<T>(pq: pktqueue_t<T>, pc: PktqCpu<T>): KernelGen {
  const items = pq.config.budget.items;
  for (;;) {
    if (!pc.deferred || pc.length === 0) {
      pc.deferred = false;
      pc.threadAsleep = true;
      yield* sleep(pc);
      continue;
    }
    if (pq.drain !== null) yield* pq.drain.enter();
    for (let n = 0; n < items; n++) {
      const m = pc.take();
      if (m === undefined) break;
      yield* pq.input(m);
      pc.processed++;
    }
    if (pq.drain !== null) yield* pq.drain.exit();
    yield* preempt(); // cond_resched()
  }
}

/** threaded: the per-CPU network thread (netisr in deferred dispatch). */
function* netisr<T>(pq: pktqueue_t<T>, pc: PktqCpu<T>): KernelGen {
  for (;;) {
    const m = pc.take();
    if (m === undefined) {
      pc.threadAsleep = true;
      yield* sleep(pc);
      continue;
    }
    if (pq.drain !== null) yield* pq.drain.enter();
    yield* pq.input(m);
    if (pq.drain !== null) yield* pq.drain.exit();
    pc.processed++;
    yield* preempt();
  }
}
