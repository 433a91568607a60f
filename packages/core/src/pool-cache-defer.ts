/*
 * Two pool_caches that defer reuse until readers are done, neither of them
 * NetBSD's PR_PSERIALIZE (which reuses at once, see pool-cache.ts):
 *
 * - pool_cache_set_smr, the pool of the 2026 tech-kern proposal (kernel.md
 *   section 10), as FreeBSD's UMA does with SMR zones: the put that fills a
 *   CPU's pending group stamps it with smr_advance's goal and appends it to
 *   a FIFO; a get that finds the depot dry takes the oldest stamped group
 *   once smr_poll shows every reader past its goal. Nobody waits.
 * - pool_cache_defer_pserialize, a proposal of this lab ("pserialize-
 *   deferred"): defer reuse behind one pserialize_perform per batch. The put
 *   that fills a pending group runs pserialize_perform (or the batched one)
 *   and only then gives the group to the depot's full list.
 *
 * The FIFO is a list head taken with the depot's busy marker (pcg.ts), held
 * across the poll of its oldest group. Pending groups are not drawn from the
 * group pool, and pool_cache_invalidate leaves them alone: the proposal's
 * code was not read.
 */
import {
  atomic_cas,
  type CacheLine,
  curcpu,
  IPL_VM,
  type KernelGen,
  load,
  nanotime,
  SimError,
  spin_until,
  splraise,
  splx,
  store,
} from "@smpnet/sim";
import { backoff } from "./constants.js";
import { PCG_NOBJECTS, pcg_dummy, pcg_new, type pcg_t, pool_pcg_get, pool_pcg_put } from "./pcg.js";
import type { PoolItem } from "./pool.js";
import type { PoolCacheDefer, pool_cache_t } from "./pool-cache.js";
import { pserialize_perform, type pserialize_t } from "./pserialize.js";
import { pserialize_perform_batched } from "./pserialize-batched.js";
import { smr_advance, smr_poll, type smr_t } from "./smr.js";

function claim(pc: pool_cache_t, defer: PoolCacheDefer, what: string): void {
  if (pc.defer !== null || pc.flags !== 0) {
    throw new SimError(
      `${what}: ${pc.name} already has a reuse policy (PR_PSERIALIZE or another deferral); a pool uses one`,
    );
  }
  pc.defer = defer;
}

/** Append to this CPU's pending group; the filled group, or null. */
function* putPending(pc: pool_cache_t, item: PoolItem): KernelGen<pcg_t | null> {
  const s = yield* splraise(IPL_VM);
  const cc = pc.cpus[curcpu().index]!;
  yield* load(cc.line);
  if (cc.pending === pcg_dummy)
    cc.pending = (yield* pool_pcg_get(pc.pcgcache)).pcg ?? pcg_new(null);
  const group = cc.pending;
  group.objects.push(item);
  yield* store(cc.line, 0);
  pc.stats.pendingChange(pc.pool.size, nanotime());
  const filled = group.objects.length === PCG_NOBJECTS;
  if (filled) cc.pending = pcg_dummy;
  yield* splx(s);
  return filled ? group : null;
}

function released(pc: pool_cache_t, group: pcg_t): void {
  pc.stats.pendingChange(-group.objects.length * pc.pool.size, nanotime());
}

const fifos = new WeakMap<pool_cache_t, CacheLine>();

/** pool_cache_set_smr: objects are reused only once `smr` shows every reader past their put. */
export function pool_cache_set_smr(pc: pool_cache_t, smr: smr_t): void {
  const fifo: CacheLine = pc.host.cacheline(`${pc.name}.pc_smrfifo`, [] as pcg_t[]);
  fifos.set(pc, fifo);
  claim(
    pc,
    {
      *put(pc, item) {
        const group = yield* putPending(pc, item);
        if (group === null) return;
        group.goal = yield* smr_advance(smr);
        const q = yield* fifoLock(fifo);
        q.push(group);
        yield* store(fifo, q);
      },
      *getGroup(pc) {
        const q = yield* fifoLock(fifo);
        const head = q[0];
        let group: pcg_t | null = null;
        if (head !== undefined && (yield* smr_poll(smr, head.goal, false))) {
          group = q.shift()!;
          released(pc, group);
        }
        yield* store(fifo, q);
        return group;
      },
    },
    "pool_cache_set_smr",
  );
}

/** The stamped groups of a set_smr pool, oldest first (for tests). */
export function pool_cache_smr_fifo(pc: pool_cache_t): readonly pcg_t[] {
  const v = fifos.get(pc)?.value ?? [];
  return v === pcg_dummy ? [] : (v as pcg_t[]);
}

/** Take the FIFO's head word with the busy marker, as pool_pcg_get does. */
function* fifoLock(fifo: CacheLine): KernelGen<pcg_t[]> {
  for (;;) {
    const q = yield* load(fifo);
    if (q === pcg_dummy) {
      yield* spin_until([fifo], () => fifo.value !== pcg_dummy, backoff(fifo));
      continue;
    }
    if ((yield* atomic_cas(fifo, q, pcg_dummy)) === q) return q as pcg_t[];
  }
}

/**
 * pool_cache_defer_pserialize (a proposal, not NetBSD's): an object is handed
 * out again only after a pserialize_perform that began after its put; the
 * put that fills a batch waits for it (`batched`: pserialize_perform_batched).
 */
export function pool_cache_defer_pserialize(
  pc: pool_cache_t,
  psz: pserialize_t,
  batched = false,
): void {
  claim(
    pc,
    {
      *put(pc, item) {
        const group = yield* putPending(pc, item);
        if (group === null) return;
        if (batched) yield* pserialize_perform_batched(psz);
        else yield* pserialize_perform(psz);
        if (yield* pool_pcg_put(pc.fullgroups, group)) pc.stats.contended++;
        released(pc, group);
      },
      *getGroup() {
        return null;
      },
    },
    "pool_cache_defer_pserialize",
  );
}
