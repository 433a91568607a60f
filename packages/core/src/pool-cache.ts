/*
 * pool_cache(9) as subr_pool.c has it: each CPU keeps two groups of objects
 * (cc_current, cc_previous) that it fills and empties under splvm alone; a
 * global depot of full and empty groups behind pc_lock trades whole groups
 * with the CPUs; the backing pool supplies objects when the depot is dry.
 *
 * Two kinds of pool hand objects back only after readers are done with them:
 * - PR_PSERIALIZE: a put object waits in its CPU's pending group; the put
 *   that fills the group runs pserialize_perform (v1.17's, or the batched
 *   variant) and only then gives the group to the depot, so an object is
 *   handed out again only after a cross-call that began after its put.
 * - pool_cache_set_smr: the put that fills a pending group stamps it with
 *   smr_advance's goal and queues it in the depot (FIFO); a get takes the
 *   oldest stamped group once smr_poll shows every reader past its goal.
 *   Nobody waits, as FreeBSD's UMA does with SMR zones.
 */
import {
  type CacheLine,
  curcpu,
  type Host,
  IPL_VM,
  type Ipl,
  type KernelGen,
  load,
  nanotime,
  SimError,
  splraise,
  splx,
  store,
} from "@smpnet/sim";
import { type kmutex_t, MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } from "./mutex.js";
import { type PoolItem, pool_get, pool_init, type pool_t } from "./pool.js";
import { pserialize_perform, type pserialize_t } from "./pserialize.js";
import { pserialize_perform_batched } from "./pserialize-batched.js";
import { PendingBytes } from "./reclaim.js";
import { smr_advance, smr_poll, type smr_t } from "./smr.js";

/** PCG_NOBJECTS_NORMAL: objects per group (a 256-byte pcg on LP64), subr_pool.c. */
export const PCG_NOBJECTS = 15;
/** PR_PSERIALIZE's value in sys/pool.h; here objects are reused only after a pserialize_perform. */
export const PR_PSERIALIZE = 0x20000;

interface Group {
  readonly objects: PoolItem[];
  /** smr goal stamped when it filled (set_smr pools). */
  goal: number;
}

interface CacheCpu {
  /** pool_cache_cpu_t: this CPU's own line. */
  readonly line: CacheLine;
  current: Group;
  previous: Group;
  /** Objects put and not yet safe to hand out (PR_PSERIALIZE, set_smr). */
  pending: Group;
}

const newGroup = (): Group => ({ objects: [], goal: 0 });

export class pool_cache_t {
  readonly pool: pool_t;
  readonly lock: kmutex_t;
  readonly cpus: CacheCpu[];
  /** Bytes of objects put but not yet reusable, over time. */
  readonly stats = new PendingBytes();
  readonly fullgroups: Group[] = [];
  readonly emptygroups: Group[] = [];
  /** set_smr: stamped groups, oldest first. */
  readonly smrfifo: Group[] = [];
  psz: pserialize_t | null = null;
  pszBatched = false;
  smr: smr_t | null = null;

  constructor(
    host: Host,
    readonly name: string,
    size: number,
    readonly flags: number,
    ipl: Ipl,
  ) {
    this.pool = pool_init(host, name, size, ipl);
    this.lock = mutex_init(host, `${name}.pc_lock`, MUTEX_DEFAULT, ipl);
    this.cpus = host.cpus.map((c) => ({
      line: host.cacheline(`${name}.pc_cpus[${c.index}]`, 0),
      current: newGroup(),
      previous: newGroup(),
      pending: newGroup(),
    }));
  }
}

export interface PoolCacheOptions {
  /** PR_PSERIALIZE pools: the pserialize instance whose cross-call guards reuse. */
  readonly psz?: pserialize_t;
  /** Share cross-calls among concurrent puts (pserialize_perform_batched). */
  readonly batched?: boolean;
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
  const pc = new pool_cache_t(host, name, size, flags, ipl);
  if (flags & PR_PSERIALIZE) {
    if (opts.psz === undefined) {
      throw new SimError(
        `pool_cache_init: ${name} has PR_PSERIALIZE; pass opts.psz, the pserialize instance its readers use`,
      );
    }
    pc.psz = opts.psz;
    pc.pszBatched = opts.batched === true;
  }
  return pc;
}

/** pool_cache_set_smr: objects are reused only once `smr` shows every reader past their put. */
export function pool_cache_set_smr(pc: pool_cache_t, smr: smr_t): void {
  if (pc.psz !== null) {
    throw new SimError(
      `pool_cache_set_smr: ${pc.name} is PR_PSERIALIZE already; a pool uses one scheme`,
    );
  }
  pc.smr = smr;
}

/** pool_cache_get: from this CPU's groups, else the depot, else the backing pool. */
export function* pool_cache_get(pc: pool_cache_t): KernelGen<PoolItem> {
  let item = yield* getFast(pc);
  if (item === undefined) item = yield* getSlow(pc);
  item.gen++;
  item.freed = false;
  item.retired = false;
  item.linked = false;
  return item;
}

function* getFast(pc: pool_cache_t): KernelGen<PoolItem | undefined> {
  const s = yield* splraise(IPL_VM);
  const cc = pc.cpus[curcpu().index]!;
  yield* load(cc.line);
  if (cc.current.objects.length === 0 && cc.previous.objects.length > 0) {
    [cc.current, cc.previous] = [cc.previous, cc.current];
  }
  const item = cc.current.objects.pop();
  if (item !== undefined) yield* store(cc.line, 0);
  yield* splx(s);
  return item;
}

/** pool_cache_get_slow: trade this CPU's empty group for a full one, or go to the pool. */
function* getSlow(pc: pool_cache_t): KernelGen<PoolItem> {
  yield* mutex_enter(pc.lock);
  let full = pc.fullgroups.pop();
  const head = pc.smrfifo[0];
  if (full === undefined && head !== undefined && (yield* smr_poll(pc.smr!, head.goal, false))) {
    full = pc.smrfifo.shift()!;
    pc.stats.pendingChange(-full.objects.length * pc.pool.size, nanotime());
  }
  if (full !== undefined) {
    const cc = pc.cpus[curcpu().index]!;
    pc.emptygroups.push(cc.current);
    cc.current = full;
    const item = full.objects.pop()!;
    yield* mutex_exit(pc.lock);
    return item;
  }
  yield* mutex_exit(pc.lock);
  return yield* pool_get(pc.pool);
}

/** pool_cache_put: into this CPU's groups; a full group goes to the depot. */
export function* pool_cache_put(pc: pool_cache_t, item: PoolItem): KernelGen {
  item.freed = true;
  if (pc.psz !== null || pc.smr !== null) {
    yield* putDeferred(pc, item);
    return;
  }
  const s = yield* splraise(IPL_VM);
  const cc = pc.cpus[curcpu().index]!;
  yield* load(cc.line);
  if (cc.current.objects.length === PCG_NOBJECTS && cc.previous.objects.length < PCG_NOBJECTS) {
    [cc.current, cc.previous] = [cc.previous, cc.current];
  }
  if (cc.current.objects.length < PCG_NOBJECTS) {
    cc.current.objects.push(item);
    yield* store(cc.line, 0);
    yield* splx(s);
    return;
  }
  yield* splx(s);
  // pool_cache_put_slow: the full group to the depot, an empty one back
  yield* mutex_enter(pc.lock);
  const c2 = pc.cpus[curcpu().index]!;
  pc.fullgroups.push(c2.current);
  c2.current = pc.emptygroups.pop() ?? newGroup();
  c2.current.objects.push(item);
  yield* mutex_exit(pc.lock);
}

/** A put to a PR_PSERIALIZE or set_smr pool: pending until readers are past it. */
function* putDeferred(pc: pool_cache_t, item: PoolItem): KernelGen {
  const s = yield* splraise(IPL_VM);
  const cc = pc.cpus[curcpu().index]!;
  yield* load(cc.line);
  cc.pending.objects.push(item);
  yield* store(cc.line, 0);
  pc.stats.pendingChange(pc.pool.size, nanotime());
  const group = cc.pending;
  const filled = group.objects.length === PCG_NOBJECTS;
  if (filled) cc.pending = newGroup();
  yield* splx(s);
  if (!filled) return;
  if (pc.smr !== null) {
    group.goal = yield* smr_advance(pc.smr);
    yield* mutex_enter(pc.lock);
    pc.smrfifo.push(group);
    yield* mutex_exit(pc.lock);
    return;
  }
  // PR_PSERIALIZE: the put that fills the batch waits for the cross-call
  if (pc.pszBatched) yield* pserialize_perform_batched(pc.psz!);
  else yield* pserialize_perform(pc.psz!);
  yield* mutex_enter(pc.lock);
  pc.fullgroups.push(group);
  yield* mutex_exit(pc.lock);
  pc.stats.pendingChange(-group.objects.length * pc.pool.size, nanotime());
}
