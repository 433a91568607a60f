/*
 * smr(9), Global Unbounded Sequences, after FreeBSD sys/kern/subr_smr.c and
 * sys/sys/smr.h (Roberson, 2019-2020, with SMR_LAZY).
 *
 * A global write sequence (s_wr_seq) advances by SMR_SEQ_INCR on every
 * smr_advance, an atomic add that never waits. A reader stores the write
 * sequence it saw in its CPU's c_seq on smr_enter and SMR_SEQ_INVALID on
 * smr_exit. An object retired at goal g (the value smr_advance returned)
 * may be freed once every CPU's c_seq is invalid or at least g: smr_poll
 * scans the CPUs and caches the minimum it found in s_rd_seq, so most polls
 * need one load. The fence on enter orders the c_seq store before the
 * reader's loads of the structure (a store-load fence: MIPS `sync`, on
 * amd64 the locked add FreeBSD uses); without it a writer could scan, see
 * no reader, and free what the reader is about to load.
 *
 * SMR_LAZY: the write sequence follows `ticks` (at most SMR_LAZY_GRACE
 * ticks at a time) instead of an atomic add, and smr_lazy_enter stores
 * c_seq with no fence. It is safe because every CPU's clock interrupt
 * drains its store buffer once a tick, which is why a lazy goal lies two
 * ticks ahead (SMR_LAZY_INCR) and frees wait that much longer.
 *
 * Modelled: sequences as unbounded numbers (no wrap-around, so
 * SMR_SEQ_MAX_DELTA's wait in smr_advance never triggers); `ticks` read
 * from the simulated clock at the smr's hz (the hardclock writing it is
 * the softint package's). Left out: SMR_DEFERRED.
 */

import {
  atomic_add,
  atomic_cas,
  type CacheLine,
  curcpu,
  type Host,
  type KernelGen,
  kpreempt_disable,
  kpreempt_enable,
  load,
  nanotime,
  SimError,
  spin_until,
  store,
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

/** smr.h: every valid sequence is odd; 0 means "not in a section". */
export const SMR_SEQ_INIT = 1;
export const SMR_SEQ_INCR = 2;
export const SMR_SEQ_INVALID = 0;
/** subr_smr.c: "we must wait one additional tick" beyond the one in progress. */
export const SMR_LAZY_GRACE = 2;
export const SMR_LAZY_INCR = SMR_LAZY_GRACE * SMR_SEQ_INCR;
export const SMR_LAZY = 0x1;

export class smr_t implements Reclaimer {
  readonly name: string;
  readonly stats = new ReclaimStats();
  /** s_wr.seq: the global write sequence. */
  readonly s_wr_seq: CacheLine;
  /** s_wr.ticks (lazy): the tick s_wr_seq last followed; packed with it in FreeBSD. */
  s_wr_ticks = 0;
  /** s_rd_seq: every reader has passed this sequence (a cache of the last scan). */
  readonly s_rd_seq: CacheLine;
  /** c_seq of each CPU, each on its own line. */
  readonly c_seq: CacheLine[];
  readonly lazy: boolean;
  /** Length of a tick for SMR_LAZY, ns (1e9 / hz). */
  readonly tickNs: number;
  /** The ticks word hardclock writes; readers load it (lazy only). */
  readonly ticksLine: CacheLine;
  /** Retired objects with the goal smr_advance gave them, oldest first. */
  private limbo: { obj: Reclaimable; goal: number }[] = [];

  constructor(
    readonly host: Host,
    name: string,
    flags: number,
    hz: number,
  ) {
    this.lazy = (flags & SMR_LAZY) !== 0;
    this.name = this.lazy ? "smr-lazy" : "smr";
    this.tickNs = 1e9 / hz;
    this.s_wr_seq = host.cacheline(`${name}.s_wr_seq`, SMR_SEQ_INIT);
    this.s_rd_seq = host.cacheline(`${name}.s_rd_seq`, SMR_SEQ_INIT);
    this.c_seq = host.cpus.map((c) =>
      host.cacheline(`${name}.cpu${c.index}.c_seq`, SMR_SEQ_INVALID),
    );
    this.ticksLine = host.cacheline("ticks", 0);
  }

  enter(): KernelGen {
    return this.lazy ? smr_lazy_enter(this) : smr_enter(this);
  }
  exit(): KernelGen {
    return this.lazy ? smr_lazy_exit(this) : smr_exit(this);
  }
  /** Stamp the object with smr_advance's goal and queue it (uma's SMR buckets). */
  *retire(obj: Reclaimable): KernelGen {
    noteRetire(this.name, this.stats, obj);
    this.limbo.push({ obj, goal: yield* smr_advance(this) });
  }
  /** smr_synchronize; a lazy smr may not block in smr_wait, so it polls once a tick. */
  *synchronize(): KernelGen {
    const goal = yield* smr_advance(this);
    this.stats.synchronizes++;
    if (this.lazy) {
      while (!(yield* smr_poll(this, goal, false))) yield* ksleep(this, this.tickNs);
    } else {
      yield* smr_wait(this, goal);
    }
    yield* this.poll();
  }
  /** Free the retired objects whose goal every reader has passed; never waits. */
  *poll(): KernelGen<boolean> {
    while (this.limbo.length > 0) {
      const head = this.limbo[0]!;
      if (!(yield* smr_poll(this, head.goal, false))) return false;
      this.limbo.shift();
      noteFree(this.stats, head.obj, nanotime());
    }
    return true;
  }
}

/** smr_create(name, limit, flags); `hz` sets the tick for SMR_LAZY (FreeBSD's default is 1000). */
export function smr_create(host: Host, name: string, flags = 0, hz = 1000): smr_t {
  if ((flags & ~SMR_LAZY) !== 0) {
    throw new SimError(`smr_create ${name}: flags: only SMR_LAZY (0x1) is modelled, got ${flags}`);
  }
  if (!(Number.isInteger(hz) && hz > 0)) {
    throw new SimError(
      `smr_create ${name}: hz: expected a positive integer (FreeBSD's default is 1000), got ${hz}`,
    );
  }
  return new smr_t(host, name, flags, hz);
}

function noRecursion(smr: smr_t, what: string, c: number): void {
  if (smr.c_seq[c]!.value !== SMR_SEQ_INVALID) {
    throw new SimError(
      `${what}(${smr.name}): cpu${c} is in a section already; smr sections do not nest`,
    );
  }
}

/** smr_enter: critical_enter, publish the write sequence, store-load fence. */
export function* smr_enter(smr: smr_t): KernelGen {
  if (smr.lazy) throw new SimError(`smr_enter: ${smr.name} is SMR_LAZY; use smr_lazy_enter`);
  const t0 = nanotime();
  kpreempt_disable();
  const c = curcpu().index;
  noRecursion(smr, "smr_enter", c);
  const wr = (yield* load(smr.s_wr_seq)) as number;
  yield* store(smr.c_seq[c]!, wr);
  // the c_seq store must be visible before this reader loads the structure
  yield* membar_sync();
  noteReadEnter(smr.host, smr.name);
  smr.stats.sections++;
  smr.stats.sectionNs += nanotime() - t0;
}

/** smr_exit: release fence, c_seq = SMR_SEQ_INVALID, critical_exit. */
export function* smr_exit(smr: smr_t): KernelGen {
  yield* exitSection(smr, "smr_exit");
}

/** smr_lazy_enter: critical_enter and a plain store of the write sequence; no fence. */
export function* smr_lazy_enter(smr: smr_t): KernelGen {
  if (!smr.lazy) throw new SimError(`smr_lazy_enter: ${smr.name} is not SMR_LAZY; use smr_enter`);
  const t0 = nanotime();
  kpreempt_disable();
  const c = curcpu().index;
  noRecursion(smr, "smr_lazy_enter", c);
  yield* store(smr.c_seq[c]!, (yield* load(smr.s_wr_seq)) as number);
  noteReadEnter(smr.host, smr.name);
  smr.stats.sections++;
  smr.stats.sectionNs += nanotime() - t0;
}

export function* smr_lazy_exit(smr: smr_t): KernelGen {
  yield* exitSection(smr, "smr_lazy_exit");
}

function* exitSection(smr: smr_t, what: string): KernelGen {
  const t0 = nanotime();
  const line = smr.c_seq[curcpu().index]!;
  if (line.value === SMR_SEQ_INVALID) {
    throw new SimError(`${what}(${smr.name}): ${curcpu().name} is not in a section`);
  }
  noteReadExit(smr.host, smr.name);
  yield* membar_release();
  yield* store(line, SMR_SEQ_INVALID);
  // the section's cost, without a preemption deferred to critical_exit
  smr.stats.sectionNs += nanotime() - t0;
  yield* kpreempt_enable();
}

/** The current write sequence (smr_current): what a batch is stamped with. */
export function smr_current(smr: smr_t): number {
  return smr.s_wr_seq.value as number;
}

/**
 * smr_advance: a new goal, after which what the caller unlinked is safe.
 * Default: one atomic add on the shared line, never a wait. Lazy: the
 * sequence follows ticks, and the goal is SMR_LAZY_INCR ahead of it.
 */
export function* smr_advance(smr: smr_t): KernelGen<number> {
  // the caller's unlink must be visible before the new sequence
  yield* membar_release();
  if (smr.lazy) return (yield* smr_lazy_advance(smr)) + SMR_LAZY_INCR;
  return yield* atomic_add(smr.s_wr_seq, SMR_SEQ_INCR);
}

/** Move the lazy write sequence forward by the ticks since it last moved, at most SMR_LAZY_GRACE. */
function* smr_lazy_advance(smr: smr_t): KernelGen<number> {
  const ticks = Math.floor(nanotime() / smr.tickNs);
  yield* load(smr.ticksLine);
  const wr = (yield* load(smr.s_wr_seq)) as number;
  const d = Math.min(ticks - smr.s_wr_ticks, SMR_LAZY_GRACE);
  if (d <= 0) return wr;
  const next = wr + d * SMR_SEQ_INCR;
  if ((yield* atomic_cas(smr.s_wr_seq, wr, next)) === wr) smr.s_wr_ticks = ticks;
  return smr.s_wr_seq.value as number;
}

/**
 * smr_poll: has every reader passed `goal`? With `wait`, spin until it has
 * (smr_wait). Usually answered by s_rd_seq alone; else one load per CPU. On
 * a lazy smr every poll first advances the write clock by the ticks since.
 */
export function* smr_poll(smr: smr_t, goal: number, wait: boolean): KernelGen<boolean> {
  if (wait && smr.lazy) {
    throw new SimError(
      `smr_poll: ${smr.name} is SMR_LAZY, which may not block (subr_smr.c asserts it); poll with wait = false`,
    );
  }
  // the lazy clock moves on every poll, before the cheap test (subr_smr.c)
  if (smr.lazy) yield* smr_lazy_advance(smr);
  if (goal <= ((yield* load(smr.s_rd_seq)) as number)) {
    yield* membar_acquire();
    return true;
  }
  const wr = (yield* load(smr.s_wr_seq)) as number;
  // a lazy goal the ticks have not reached yet: no reader can have passed it
  if (goal > wr) return false;
  // smr_poll_scan: the oldest sequence any reader still holds
  let rd = wr;
  for (const line of smr.c_seq) {
    let c = (yield* load(line)) as number;
    while (wait && c !== SMR_SEQ_INVALID && c < goal) {
      yield* spin_until([line], () => line.value !== c, backoff(line));
      c = (yield* load(line)) as number;
    }
    if (c !== SMR_SEQ_INVALID && c < rd) rd = c;
  }
  const old = (yield* load(smr.s_rd_seq)) as number;
  if (rd > old) yield* atomic_cas(smr.s_rd_seq, old, rd);
  yield* membar_acquire();
  return goal <= rd;
}

/** smr_wait: spin until every reader has passed `goal`. Not on a lazy smr, as FreeBSD asserts. */
export function* smr_wait(smr: smr_t, goal: number): KernelGen {
  if (smr.lazy) {
    throw new SimError(
      `smr_wait: ${smr.name} is SMR_LAZY, which may not block; poll with smr_poll(smr, goal, false)`,
    );
  }
  yield* smr_poll(smr, goal, true);
}
