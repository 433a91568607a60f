/*
 * pool_cache(9) after NetBSD sys/kern/subr_pool.c v1.284. Each CPU keeps two
 * groups of objects (cc_current, cc_previous) that it fills and empties at
 * splvm alone; full, partial and empty groups wait in the depot's lock-free
 * lists (pcg.ts); the backing pool (pool.ts) supplies objects when the depot
 * is dry and takes them back when they are destructed.
 *
 * PR_PSERIALIZE makes the memory type-stable, not the objects' lifetimes: a
 * put returns the object to the CPU's group at once and the next get may hand
 * it out again while a reader that found it under pserialize still looks at
 * it. Only before objects leave the cache for good does pool_cache_pre_destruct
 * run pool_barrier (xc_barrier(0)), once per batch: in
 * pool_cache_destruct_object (a put that finds no empty group: the group pool
 * is at its limit) and in pool_cache_invalidate_groups (invalidate, reclaim).
 * Without a destructor the pool layer keeps the flag too and runs the barrier
 * again before each page goes back (pool.ts). A caller that must not see an
 * object reused runs pserialize_perform between unlink and put, or
 * revalidates what its readers find (kernel.md section 10).
 *
 * Objects whose reuse waits for readers are pool-cache-defer.ts's proposals
 * (pool_cache_set_smr, and a deferred PR_PSERIALIZE); they hook `put` and the
 * depot's get here.
 *
 * Left out: PR_LARGECACHE groups, the constructor, pool_cache_destroy, the
 * hit and miss counters, pool_cache_disable. NetBSD shares the empty-group
 * list and the group pool among all caches of a group size; here each cache
 * has its own.
 */
import {
  after,
  type CacheLine,
  curcpu,
  done,
  type Host,
  IPL_VM,
  type Ipl,
  type KernelGen,
  type KernelOp,
  load,
  paid,
  paidValue,
  SimError,
  splraise,
  splx,
  store,
  work,
} from "@smpnet/sim";
import {
  pcg_chain,
  pcg_dummy,
  pcg_list,
  pcg_new,
  type pcg_t,
  pool_pcg_get,
  pool_pcg_put,
  pool_pcg_trunc,
} from "./pcg.js";
import {
  type PoolItem,
  PR_PSERIALIZE,
  pool_get,
  pool_init,
  pool_put,
  pool_reclaim_pages,
  pool_sethardlimit,
  type pool_t,
} from "./pool.js";
import { PendingBytes } from "./reclaim.js";
import { xc_barrier, xc_broadcast, xc_init, xc_wait } from "./xcall.js";

/** sizeof(pcg_t) with PCG_NOBJECTS_NORMAL pairs on LP64: 256 bytes (sys/pool.h). */
const PCG_BYTES = 256;

interface CacheCpu {
  /** pool_cache_cpu_t: this CPU's own line. */
  readonly line: CacheLine;
  current: pcg_t;
  previous: pcg_t;
  /** Deferred pools only: objects put and not yet safe to hand out. */
  pending: pcg_t;
}

export class PoolCacheStats extends PendingBytes {
  /** Batches destructed (pool_cache_pre_destruct calls), objects destructed. */
  destructBatches = 0;
  destructed = 0;
  /** Depot operations that found the busy marker (cc_contended). */
  contended = 0;
}

/** How a deferred pool (pool-cache-defer.ts) puts objects and finds reusable groups. */
export interface PoolCacheDefer {
  put(pc: pool_cache_t, item: PoolItem): KernelGen;
  getGroup(pc: pool_cache_t): KernelGen<pcg_t | null>;
}

export class pool_cache_t {
  /** pc_pool, and pc_pcgpool: the memory of the groups. */
  readonly pool: pool_t;
  readonly pcgpool: pool_t;
  /** The depot: empty groups (pc_pcgcache), pc_fullgroups, pc_partgroups. */
  readonly pcgcache: CacheLine;
  readonly fullgroups: CacheLine;
  readonly partgroups: CacheLine;
  readonly cpus: CacheCpu[];
  readonly stats = new PoolCacheStats();
  defer: PoolCacheDefer | null = null;

  constructor(
    readonly host: Host,
    readonly name: string,
    size: number,
    readonly flags: number,
    ipl: Ipl,
    /** pc_dtor's cost per object, or null: no destructor. */
    readonly dtorCycles: number | null,
  ) {
    this.pool = pool_init(host, name, size, ipl);
    // "If we have a destructor, then the pool layer does not need to worry about PR_PSERIALIZE."
    this.pool.pser = (flags & PR_PSERIALIZE) !== 0 && dtorCycles === null;
    this.pcgpool = pool_init(host, `${name}.pcgnormal`, PCG_BYTES, IPL_VM);
    this.pcgcache = pcg_list(host, `${name}.pc_pcgcache`);
    this.fullgroups = pcg_list(host, `${name}.pc_fullgroups`);
    this.partgroups = pcg_list(host, `${name}.pc_partgroups`);
    this.cpus = host.cpus.map((c) => ({
      line: host.cacheline(`${name}.pc_cpus[${c.index}]`, 0),
      current: pcg_dummy,
      previous: pcg_dummy,
      pending: pcg_dummy,
    }));
  }

  /** Full groups waiting in the depot (cc_nfull summed). */
  get nfull(): number {
    return pcg_chain(this.fullgroups.value as pcg_t | null).length;
  }
}

export interface PoolCacheOptions {
  /** A destructor (pc_dtor) costing this many cycles per object; none by default. */
  readonly dtorCycles?: number | undefined;
  /**
   * Groups the group pool can supply (pool_sethardlimit on it); by default
   * as many as wanted. In v1.284 this is the depot's only limit: a put that
   * finds no empty group and cannot allocate one destructs its object.
   */
  readonly maxGroups?: number | undefined;
}

/** pool_cache_init: objects of `size` bytes; `flags` may hold PR_PSERIALIZE. */
export function pool_cache_init(
  host: Host,
  name: string,
  size: number,
  flags = 0,
  ipl: Ipl = IPL_VM,
  opts: PoolCacheOptions = {},
): pool_cache_t {
  const { dtorCycles, maxGroups } = opts;
  if (dtorCycles !== undefined && !(Number.isFinite(dtorCycles) && dtorCycles >= 0)) {
    throw new SimError(
      `pool_cache_init: ${name}: opts.dtorCycles must be a non-negative number, got ${dtorCycles}`,
    );
  }
  const pc = new pool_cache_t(host, name, size, flags, ipl, dtorCycles ?? null);
  if (maxGroups !== undefined) pool_sethardlimit(pc.pcgpool, maxGroups);
  xc_init(host);
  return pc;
}

/*
 * pool_cache_get and pool_cache_put are plain functions on their fast path
 * (sim's ops.ts, "Plain kernel helpers"): at splvm, one load and one store
 * of this CPU's line, no generator, as the C is a few instructions before
 * any call. Each step below is the code after one operation; an operation
 * not carried out in place goes on through `after` to the same step.
 */

/** pool_cache_get: from this CPU's groups, else the depot, else the backing pool. */
export function pool_cache_get(pc: pool_cache_t): KernelOp<PoolItem> {
  const o = splraise(IPL_VM);
  return paid(o) ? pool_cache_get_cpu(pc, paidValue() as Ipl) : after(o, pool_cache_get_cpu, pc);
}

/** At splvm (`s` the IPL to restore): reads this CPU's groups. */
function pool_cache_get_cpu(pc: pool_cache_t, s: Ipl): KernelOp<PoolItem> {
  const cc = pc.cpus[curcpu().index]!;
  const o = load(cc.line);
  return paid(o) ? pool_cache_get_cc(pc, cc, s) : after(o, pool_cache_get_cc, pc, cc, s);
}

function pool_cache_get_cc(pc: pool_cache_t, cc: CacheCpu, s: Ipl): KernelOp<PoolItem> {
  const cur = cc.current;
  if (cur.objects.length > 0) {
    const item = cur.objects.pop()!;
    const o = store(cc.line, 0);
    return paid(o) ? pool_cache_got(item, s) : after(o, pool_cache_got, item, s);
  }
  if (cc.previous.objects.length > 0) {
    cc.current = cc.previous;
    cc.previous = cur;
    return pool_cache_get_cpu(pc, s);
  }
  // pool_cache_get_slow: returns with the IPL restored when it got an object, null to retry
  return after(pool_cache_get_slow(pc, cc, s), pool_cache_get_retry, pc, s);
}

function pool_cache_get_retry(pc: pool_cache_t, s: Ipl, item: PoolItem | null): KernelOp<PoolItem> {
  return item === null ? pool_cache_get_cpu(pc, s) : pool_cache_fresh(item);
}

/** Off this CPU's group: back to IPL `s`, the object handed out anew. */
function pool_cache_got(item: PoolItem, s: Ipl): KernelOp<PoolItem> {
  const o = splx(s);
  return paid(o) ? pool_cache_fresh(item) : after(o, pool_cache_fresh, item);
}

/** The object handed out anew. */
function pool_cache_fresh(item: PoolItem): KernelOp<PoolItem> {
  item.gen++;
  item.freed = false;
  item.retired = false;
  item.linked = false;
  return done(item);
}

/** Trade this CPU's empty group for a full one (null: retry), or go to the pool. */
function* pool_cache_get_slow(pc: pool_cache_t, cc: CacheCpu, s: Ipl): KernelGen<PoolItem | null> {
  const got = yield* pool_pcg_get(pc.fullgroups);
  if (got.contended) pc.stats.contended++;
  const pcg = got.pcg ?? (pc.defer === null ? null : yield* pc.defer.getGroup(pc));
  if (pcg !== null) {
    if (cc.current !== pcg_dummy) yield* pool_pcg_put(pc.pcgcache, cc.current);
    cc.current = pcg;
    return null;
  }
  yield* splx(s);
  return (yield* pool_get(pc.pool))!;
}

/** pool_cache_put: into this CPU's groups, or the object's own deferred path. */
export function pool_cache_put(pc: pool_cache_t, item: PoolItem): KernelOp<void> {
  item.freed = true;
  return pc.defer !== null ? pc.defer.put(pc, item) : pool_cache_put_paddr(pc, item);
}

function pool_cache_put_paddr(pc: pool_cache_t, item: PoolItem): KernelOp<void> {
  const o = splraise(IPL_VM);
  return paid(o)
    ? pool_cache_put_cpu(pc, item, paidValue() as Ipl)
    : after(o, pool_cache_put_cpu, pc, item);
}

/** At splvm: reads this CPU's groups. */
function pool_cache_put_cpu(pc: pool_cache_t, item: PoolItem, s: Ipl): KernelOp<void> {
  const cc = pc.cpus[curcpu().index]!;
  const o = load(cc.line);
  return paid(o)
    ? pool_cache_put_cc(pc, cc, item, s)
    : after(o, pool_cache_put_cc, pc, cc, item, s);
}

function pool_cache_put_cc(pc: pool_cache_t, cc: CacheCpu, item: PoolItem, s: Ipl): KernelOp<void> {
  const cur = cc.current;
  if (cur.objects.length < cur.size) {
    cur.objects.push(item);
    const o = store(cc.line, 0);
    return paid(o) ? splx(s) : after(o, splx, s);
  }
  if (cc.previous.objects.length < cc.previous.size) {
    cc.current = cc.previous;
    cc.previous = cur;
    return pool_cache_put_cpu(pc, item, s);
  }
  return after(pool_cache_put_slow(pc, cc, s, item), pool_cache_put_retry, pc, item, s);
}

function pool_cache_put_retry(
  pc: pool_cache_t,
  item: PoolItem,
  s: Ipl,
  retry: boolean,
): KernelOp<void> {
  return retry ? pool_cache_put_cpu(pc, item, s) : done(undefined);
}

/** An empty group: from the depot, else a new one from the group pool, else null. */
function* pool_cache_empty_group(pc: pool_cache_t): KernelGen<pcg_t | null> {
  const { pcg } = yield* pool_pcg_get(pc.pcgcache);
  if (pcg !== null) return pcg;
  const mem = yield* pool_get(pc.pcgpool);
  return mem === null ? null : pcg_new(mem);
}

/**
 * Swap a full group for an empty one (true: retry the put), or, with no
 * empty group to be had, restore the IPL and destruct the object (false).
 */
function* pool_cache_put_slow(
  pc: pool_cache_t,
  cc: CacheCpu,
  s: Ipl,
  item: PoolItem,
): KernelGen<boolean> {
  const pcg = yield* pool_cache_empty_group(pc);
  if (pcg !== null) {
    if (cc.previous === pcg_dummy) {
      cc.previous = pcg;
    } else {
      if (cc.current !== pcg_dummy && (yield* pool_pcg_put(pc.fullgroups, cc.current)))
        pc.stats.contended++;
      cc.current = pcg;
    }
    return true;
  }
  yield* splx(s);
  yield* pool_cache_destruct_object(pc, item);
  return false;
}

/** pool_cache_pre_destruct: one passive serialization barrier per batch. */
function* pool_cache_pre_destruct(pc: pool_cache_t): KernelGen {
  pc.stats.destructBatches++;
  if (pc.flags & PR_PSERIALIZE) yield* xc_barrier(pc.host);
}

function* pool_cache_destruct_object1(pc: pool_cache_t, item: PoolItem): KernelGen {
  if (pc.dtorCycles !== null) yield* work(pc.dtorCycles);
  pc.stats.destructed++;
  yield* pool_put(pc.pool, item);
}

/** pool_cache_destruct_object: force one object out of the cache, to the pool. */
export function* pool_cache_destruct_object(pc: pool_cache_t, item: PoolItem): KernelGen {
  yield* pool_cache_pre_destruct(pc);
  yield* pool_cache_destruct_object1(pc, item);
}

/** pool_cache_invalidate_groups: destruct a chain's objects, free its groups; how many groups. */
function* pool_cache_invalidate_groups(pc: pool_cache_t, chain: pcg_t | null): KernelGen<number> {
  if (chain === null) return 0;
  yield* pool_cache_pre_destruct(pc);
  const groups = pcg_chain(chain);
  for (const pcg of groups) {
    for (const item of pcg.objects) yield* pool_cache_destruct_object1(pc, item);
    pcg.objects.length = 0;
    if (pcg.mem !== null) yield* pool_put(pc.pcgpool, pcg.mem);
  }
  return groups.length;
}

/** pool_cache_transfer: this CPU's groups to the depot (runs in each CPU's xcall thread). */
function* pool_cache_transfer(pc: pool_cache_t): KernelGen {
  const s = yield* splraise(IPL_VM);
  const cc = pc.cpus[curcpu().index]!;
  yield* store(cc.line, 0);
  for (const pcg of [cc.current, cc.previous]) {
    if (pcg === pcg_dummy) continue;
    const n = pcg.objects.length;
    const list = n === pcg.size ? pc.fullgroups : n === 0 ? pc.pcgcache : pc.partgroups;
    yield* pool_pcg_put(list, pcg);
  }
  cc.current = pcg_dummy;
  cc.previous = pcg_dummy;
  yield* splx(s);
}

/**
 * pool_cache_invalidate: every CPU hands its groups to the depot (a
 * low-priority cross-call), then each of the depot's lists is destructed as
 * one batch. Thread context; sleeps.
 */
export function* pool_cache_invalidate(pc: pool_cache_t): KernelGen {
  if (curcpu().curctx.lwp === null) {
    throw new SimError(
      "pool_cache_invalidate: called from an interrupt handler; call it from a thread",
    );
  }
  if (pc.host.cpus.length < 2) yield* pool_cache_transfer(pc);
  else yield* xc_wait(pc.host, yield* xc_broadcast(pc.host, () => pool_cache_transfer(pc)));
  for (const list of [pc.pcgcache, pc.fullgroups, pc.partgroups]) {
    yield* pool_cache_invalidate_groups(pc, yield* pool_pcg_trunc(list));
  }
}

/** pool_cache_reclaim (pool_reclaim): invalidate, then free the pages idle long enough. */
export function* pool_cache_reclaim(pc: pool_cache_t): KernelGen<boolean> {
  yield* pool_cache_invalidate(pc);
  return (yield* pool_reclaim_pages(pc.pool)) > 0;
}
