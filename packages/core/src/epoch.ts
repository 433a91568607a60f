/*
 * epoch(9), after FreeBSD sys/kern/subr_epoch.c over ConcurrencyKit's
 * ck_epoch (include/ck_epoch.h, src/ck_epoch.c).
 *
 * A global epoch counter and one record per CPU {active, epoch}. A reader
 * entering its outermost section marks the record active, fences
 * (store-load), and copies the global epoch into it; nested entries only
 * count. epoch_call puts the object in the record's bucket of the current
 * epoch (CK_EPOCH_LENGTH buckets, indexed modulo). A poll scans every
 * record: if each active one has seen the current epoch e, it advances the
 * global epoch to e+1 and frees the bucket of e-1, whose readers are all
 * gone; a reader still at an older epoch stops the advance. epoch_wait
 * blocks (spinning) until the epoch has moved far enough that every
 * section that began before it has ended, and returns at once when it
 * finds no record active.
 *
 * epoch_enter is a critical section (no preemption); epoch_enter_preempt
 * lets the thread be preempted: the record stays active (another thread on
 * the CPU may enter too, counting on) until the last section on it exits.
 * Modelled without ck's two section buckets (CK_EPOCH_SENSE): a record keeps
 * the epoch of its oldest open section, which is safe and may advance later.
 * epoch_wait on a preemptible epoch sleeps until the record's last reader
 * leaves instead of spinning (FreeBSD's block handler switches away).
 * Callbacks run where poll is called: by default the writer's poll() (the
 * "writer-poll" driver); once a clock driver claims the host
 * (epoch_set_driver(host, "hardclock")), only epoch_call_task polls, on the
 * CPUs whose epoch_cb_count is not zero, as FreeBSD's hardclock enqueues
 * its per-CPU epoch call task, and a writer's poll() only reports.
 */

import {
  after,
  atomic_cas,
  type CacheLine,
  type Cpu,
  curcpu,
  curlwp,
  done,
  type Host,
  HostSlot,
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
  spin_until,
  store,
  wakeup,
} from "@smpnet/sim";
import { backoff } from "./constants.js";
import { ksleep } from "./kernel-lock.js";
import { membar_acquire, membar_release, membar_sync } from "./membar.js";
import {
  noteFree,
  noteReadEnter,
  noteReadExit,
  noteRetire,
  type Reclaimable,
  type Reclaimer,
  ReclaimStats,
} from "./reclaim.js";

/** ck_epoch.h: deferral buckets per record (a power of two, at least 3). */
export const CK_EPOCH_LENGTH = 4;

interface EpochRecord {
  /** The record's line: written on outermost enter and last exit. */
  readonly line: CacheLine;
  active: number;
  epoch: number;
  readonly pending: Reclaimable[][];
}

export class epoch_t implements Reclaimer {
  readonly stats = new ReclaimStats();
  readonly global: CacheLine;
  readonly records: EpochRecord[];
  /** The record each preemptible reader entered on (sched_pin keeps it there in FreeBSD). */
  readonly trackers = new Map<Lwp, EpochRecord[]>();

  constructor(
    readonly host: Host,
    readonly name: string,
    readonly preempt: boolean,
  ) {
    this.global = host.cacheline(`${name}.epoch`, 1);
    this.records = host.cpus.map((c) => ({
      line: host.cacheline(`${name}.cpu${c.index}.record`, 0),
      active: 0,
      epoch: 0,
      pending: Array.from({ length: CK_EPOCH_LENGTH }, () => []),
    }));
  }

  enter(): KernelOp<void> {
    return this.preempt ? epoch_enter_preempt(this) : epoch_enter(this);
  }
  exit(): KernelOp<void> {
    return this.preempt ? epoch_exit_preempt(this) : epoch_exit(this);
  }
  retire(obj: Reclaimable): KernelGen {
    return epoch_call(this, obj);
  }
  /** epoch_wait, then free what this CPU's record holds that is now safe. */
  *synchronize(): KernelGen {
    this.stats.synchronizes++;
    yield* epoch_wait(this);
    yield* this.poll();
  }
  poll(): KernelGen<boolean> {
    return epochHost(this.host).driver === "hardclock" ? nothing_pending(this) : epoch_poll(this);
  }
}

/** epoch_alloc: `preempt` as EPOCH_PREEMPT (sections with epoch_enter_preempt). */
export function epoch_alloc(host: Host, name: string, preempt = false): epoch_t {
  const ep = new epoch_t(host, name, preempt);
  epochHost(host).epochs.push(ep); // allepochs[]
  return ep;
}

// The sections' entries and exits run on every packet (the network epoch,
// pcb lookups), so they are plain functions on their fast path, each step
// the rest after one operation, in place or through `after`.

/** ck_epoch_begin on `r`: the outermost entry publishes the epoch it saw. */
function begin(ep: epoch_t, r: EpochRecord): KernelOp<void> {
  if (r.active++ > 0) return store(r.line, r.active);
  const o = store(r.line, r.active);
  return paid(o) ? begin_fence(ep, r) : after(o, begin_fence, ep, r);
}

// the active mark must be visible before the loads that find objects
function begin_fence(ep: epoch_t, r: EpochRecord): KernelOp<void> {
  const o = membar_sync();
  return paid(o) ? begin_load(ep, r) : after(o, begin_load, ep, r);
}

function begin_load(ep: epoch_t, r: EpochRecord): KernelOp<void> {
  const o = load(ep.global);
  return paid(o) ? begun(r, paidValue() as number) : after(o, begun, r);
}

function begun(r: EpochRecord, epoch: number): KernelOp<void> {
  r.epoch = epoch;
  return store(r.line, r.active);
}

function end(ep: epoch_t, r: EpochRecord): KernelOp<void> {
  const o = membar_release();
  return paid(o) ? end_store(ep, r) : after(o, end_store, ep, r);
}

function end_store(ep: epoch_t, r: EpochRecord): KernelOp<void> {
  r.active--;
  const o = store(r.line, r.active);
  return paid(o) ? ended(ep, r) : after(o, ended, ep, r);
}

// a preemptible epoch's waiter sleeps on the record (epoch_block_handler_preempt)
function ended(ep: epoch_t, r: EpochRecord): KernelOp<void> {
  return ep.preempt && r.active === 0
    ? (wakeup(r) as KernelOp<unknown> as KernelOp<void>)
    : done(undefined);
}

/** epoch_enter: critical_enter + ck_epoch_begin on this CPU's record. */
export function* epoch_enter(ep: epoch_t): KernelGen {
  if (ep.preempt)
    throw new SimError(`epoch_enter: ${ep.name} is EPOCH_PREEMPT; use epoch_enter_preempt`);
  const t0 = nanotime();
  kpreempt_disable();
  yield* begin(ep, ep.records[curcpu().index]!);
  noteReadEnter(ep.host, "epoch");
  ep.stats.sections++;
  ep.stats.sectionNs += nanotime() - t0;
}

export function* epoch_exit(ep: epoch_t): KernelGen {
  const t0 = nanotime();
  const r = ep.records[curcpu().index]!;
  if (r.active === 0)
    throw new SimError(`epoch_exit: ${curcpu().name} is not in a ${ep.name} section`);
  noteReadExit(ep.host, "epoch");
  yield* end(ep, r);
  // the section's cost, without a preemption deferred to critical_exit
  ep.stats.sectionNs += nanotime() - t0;
  yield* kpreempt_enable();
}

/** epoch_enter_preempt: a section in which the thread may be preempted, not sleep. */
export function epoch_enter_preempt(ep: epoch_t): KernelOp<void> {
  if (!ep.preempt)
    throw new SimError(`epoch_enter_preempt: ${ep.name} was not allocated EPOCH_PREEMPT`);
  const t0 = nanotime();
  kpreempt_disable();
  const r = ep.records[curcpu().index]!;
  const o = begin(ep, r);
  return paid(o) ? entered_preempt(ep, r, t0) : after(o, entered_preempt, ep, r, t0);
}

function entered_preempt(ep: epoch_t, r: EpochRecord, t0: number): KernelOp<void> {
  const l = curlwp();
  const mine = ep.trackers.get(l);
  if (mine === undefined) ep.trackers.set(l, [r]);
  else mine.push(r);
  noteReadEnter(ep.host, "epoch");
  ep.stats.sections++;
  ep.stats.sectionNs += nanotime() - t0;
  return kpreempt_enable();
}

export function epoch_exit_preempt(ep: epoch_t): KernelOp<void> {
  const t0 = nanotime();
  const l = curlwp();
  const t = ep.trackers;
  const mine = t.get(l);
  const r = mine?.pop();
  if (r === undefined)
    throw new SimError(`epoch_exit_preempt: ${l} is not in a ${ep.name} section`);
  if (mine!.length === 0) t.delete(l);
  noteReadExit(ep.host, "epoch");
  const o = end(ep, r);
  return paid(o) ? exited_preempt(ep, t0) : after(o, exited_preempt, ep, t0);
}

function exited_preempt(ep: epoch_t, t0: number): KernelOp<void> {
  ep.stats.sectionNs += nanotime() - t0;
  return done(undefined);
}

/** epoch_call: defer the free to this CPU's record, in the current epoch's bucket. */
export function* epoch_call(ep: epoch_t, obj: Reclaimable): KernelGen {
  noteRetire("epoch", ep.stats, obj);
  epochHost(ep.host).cbCount[curcpu().index]!++;
  const e = (yield* load(ep.global)) as number;
  ep.records[curcpu().index]!.pending[e & (CK_EPOCH_LENGTH - 1)]!.push(obj);
  (obj as Reclaimable & { epochOf?: number }).epochOf = e;
}

function dispatch(ep: epoch_t, r: EpochRecord, e: number): void {
  const bucket = r.pending[e & (CK_EPOCH_LENGTH - 1)]!;
  if (bucket.length === 0) return;
  const now = nanotime();
  // only what was retired in epoch e (the bucket is shared modulo LENGTH)
  const keep: Reclaimable[] = [];
  for (const obj of bucket) {
    if ((obj as Reclaimable & { epochOf?: number }).epochOf! <= e) noteFree(ep.stats, obj, now);
    else keep.push(obj);
  }
  // the record is the current CPU's (epoch_poll's): its epoch_cb_count falls
  epochHost(ep.host).cbCount[curcpu().index]! -= bucket.length - keep.length;
  bucket.length = 0;
  bucket.push(...keep);
}

/** A record that is active at an epoch other than `e` (ck_epoch_scan), read through its line. */
function* scan(ep: epoch_t, e: number): KernelGen<{ blocked: boolean; active: boolean }> {
  let active = false;
  for (const r of ep.records) {
    yield* load(r.line);
    if (r.active === 0) continue;
    active = true;
    if (r.epoch !== e) return { blocked: true, active };
  }
  return { blocked: false, active };
}

/**
 * ck_epoch_poll_deferred on this CPU's record: free the bucket two epochs
 * back; if every active record has seen the current epoch, advance it and
 * free the previous one too. Never waits.
 */
export function* epoch_poll(ep: epoch_t): KernelGen<boolean> {
  const r = ep.records[curcpu().index]!;
  const e = (yield* load(ep.global)) as number;
  yield* membar_sync();
  dispatch(ep, r, e - 2);
  const s = yield* scan(ep, e);
  if (!s.blocked) {
    if (!s.active) {
      for (let k = 0; k < CK_EPOCH_LENGTH; k++) dispatch(ep, r, e - k);
    } else {
      yield* atomic_cas(ep.global, e, e + 1);
      dispatch(ep, r, e - 1);
    }
  }
  yield* membar_acquire();
  return r.pending.every((b) => b.length === 0);
}

/**
 * epoch_wait: ck_epoch_synchronize_wait with a spinning block handler. Every
 * section open when it began has ended when it returns. A scan that finds
 * no record active is a grace period already: it returns without advancing
 * the epoch (ck: "observed all threads as inactive").
 */
export function* epoch_wait(ep: epoch_t): KernelGen {
  const cpu = curcpu();
  if (ep.records[cpu.index]!.active > 0 && !ep.preempt) {
    throw new SimError(`epoch_wait: ${cpu.name} is inside a ${ep.name} section; exit it first`);
  }
  const start = (yield* load(ep.global)) as number;
  // two advances: readers at start-1 or start are gone once the epoch is start+2
  while (((yield* load(ep.global)) as number) < start + 2) {
    const e = ep.global.value as number;
    yield* membar_sync();
    let active = false;
    for (const r of ep.records) {
      yield* load(r.line);
      if (r.active > 0) active = true;
      while (r.active > 0 && r.epoch < e) {
        // a preempted reader may hold the record while off its CPU: sleep,
        // do not spin against it; a critical-section reader is running
        if (ep.preempt) yield* ksleep(r);
        else yield* spin_until([r.line], () => r.active === 0 || r.epoch >= e, backoff(r.line));
      }
    }
    if (!active) return;
    yield* atomic_cas(ep.global, e, e + 1);
  }
}

/*
 * The hook for the epoch call task's driver. FreeBSD's hardclock enqueues
 * the per-CPU "epoch call task" on every tick of a CPU whose DPCPU
 * epoch_cb_count is not zero (kern_clock.c); the task polls each epoch in
 * use on that CPU's record and runs what is ready (subr_epoch.c
 * epoch_call_task). The clock is outside core: its driver reads
 * epoch_cb_count, runs epoch_call_task, and claims the host with
 * epoch_set_driver. Left out: the task's own section in global_epoch, and
 * running the callbacks after the polls rather than within them.
 */

/** Who polls a host's epochs: the writers (poll()), or the clock's call task. */
export type EpochDriver = "writer-poll" | "hardclock";

interface EpochHost {
  driver: EpochDriver;
  readonly epochs: epoch_t[];
  /** DPCPU epoch_cb_count: callbacks deferred on each CPU and not yet run. */
  readonly cbCount: number[];
}

const epochHosts = new HostSlot<EpochHost>();

function epochHost(host: Host): EpochHost {
  let eh = epochHosts.get(host);
  if (eh === undefined) {
    eh = { driver: "writer-poll", epochs: [], cbCount: host.cpus.map(() => 0) };
    epochHosts.set(host, eh);
  }
  return eh;
}

/** Sets who polls the epochs of `host` (when the kernel is assembled). */
export function epoch_set_driver(host: Host, driver: EpochDriver): void {
  if (driver !== "writer-poll" && driver !== "hardclock") {
    throw new SimError(
      `epoch_set_driver: unknown driver ${JSON.stringify(driver)}; use "hardclock" or "writer-poll"`,
    );
  }
  epochHost(host).driver = driver;
}

/** epoch_cb_count of `cpu`: callbacks epoch_call deferred there that have not run. */
export function epoch_cb_count(cpu: Cpu): number {
  return epochHost(cpu.host).cbCount[cpu.index]!;
}

/** poll() under the clock's driver: only whether this CPU's record holds nothing. */
function* nothing_pending(ep: epoch_t): KernelGen<boolean> {
  return ep.records[curcpu().index]!.pending.every((b) => b.length === 0);
}

/**
 * epoch_call_task: polls, on this CPU's record, every epoch of the host
 * that has callbacks pending there, freeing what is ready. Kernel code on
 * the CPU, from the driver's task (a softint or thread).
 */
export function* epoch_call_task(): KernelGen {
  const cpu = curcpu();
  for (const ep of epochHost(cpu.host).epochs) {
    if (ep.records[cpu.index]!.pending.every((b) => b.length === 0)) continue; // n_pending == 0
    yield* epoch_poll(ep);
  }
}
