/*
 * The pcb-churn variants: each is the code a kernel developer would write
 * with that scheme, for the two halves of in_pcb.c's life cycle that race:
 * a lookup (find a pcb in its hash chain and use it) and a close (unlink it
 * and give it back to its pool).
 *
 * - pserialize: unlink, pserialize_perform, pool_cache_put to a
 *   PR_PSERIALIZE pool: one cross-call per close, the usual NetBSD pattern.
 * - pserialize-batched: the same with pserialize_perform_batched.
 * - pserialize-typesafe: unlink and put at once; the pool's memory is
 *   type-stable, so a reader that found a pcb takes its lock, revalidates it
 *   (its generation, and that it was not freed) and looks up again on a
 *   mismatch, as FreeBSD's inp_smr_lock checks INP_FREED and Linux's
 *   SLAB_TYPESAFE_BY_RCU users do. The closer takes the pcb's lock to mark
 *   it freed.
 * - pserialize-deferred: a proposal, not NetBSD's: the pool defers reuse
 *   behind one pserialize_perform per batch of puts.
 * - epoch: epoch_call, and the pcbs a poll frees go to a plain pool_cache.
 * - smr, smr-lazy: a pool_cache_set_smr pool.
 * - rwlock: readers take the table's rwlock as reader, closers as writer and
 *   free at once.
 */
import { type Host, type KernelOp, SimError, store } from "@smpnet/sim";
import { epoch_alloc, type epoch_t } from "./epoch.js";
import { epoch_pool_free } from "./epoch-pool-free.js";
import { type kmutex_t, MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } from "./mutex.js";
import { type PoolItem, PR_PSERIALIZE } from "./pool.js";
import { pool_cache_init, pool_cache_put, type pool_cache_t } from "./pool-cache.js";
import { pool_cache_defer_pserialize, pool_cache_set_smr } from "./pool-cache-defer.js";
import { pserialize_create, pserialize_perform, type pserialize_t } from "./pserialize.js";
import { pserialize_perform_batched } from "./pserialize-batched.js";
import type { Reclaimer } from "./reclaim.js";
import { SMR_LAZY, smr_create } from "./smr.js";

export const CHURN_VARIANTS = [
  "pserialize",
  "pserialize-batched",
  "pserialize-typesafe",
  "pserialize-deferred",
  "epoch",
  "smr",
  "smr-lazy",
  "rwlock",
] as const;
export type ChurnVariant = (typeof CHURN_VARIANTS)[number];

/** sizeof(struct inpcb) on NetBSD amd64 is about 250 bytes; a pool rounds to 256: estimate. */
export const PCB_BYTES = 256;

/** A variant's pool, its read sections (null: the table's rwlock) and its close. */
export interface ChurnScheme {
  readonly pc: pool_cache_t;
  readonly rc: Reclaimer | null;
  readonly psz: pserialize_t | null;
  readonly epoch: epoch_t | null;
  /** Readers must take the pcb's lock and revalidate it (type-stable memory). */
  readonly typesafe: boolean;
  /** Give an unlinked pcb back, as the variant's users do. */
  close(pcb: PoolItem): KernelOp<void>;
}

const pcbLocks = new WeakMap<PoolItem, kmutex_t>();

/** The pcb's own lock (inp_lock), part of its type-stable memory. */
export function inp_lock(host: Host, pcb: PoolItem): kmutex_t {
  let m = pcbLocks.get(pcb);
  if (m === undefined) {
    m = mutex_init(host, "inp_lock", MUTEX_DEFAULT, 0);
    pcbLocks.set(pcb, m);
  }
  return m;
}

/** pool_cache_init's options for the pcb pool. */
export interface SchemeOptions {
  readonly dtorCycles?: number | undefined;
  readonly maxGroups?: number | undefined;
}

export function churnScheme(host: Host, v: ChurnVariant, o: SchemeOptions): ChurnScheme {
  const pser = v === "pserialize" || v === "pserialize-batched" || v === "pserialize-typesafe";
  const pc = pool_cache_init(host, "in4pcbpl", PCB_BYTES, pser ? PR_PSERIALIZE : 0, undefined, {
    dtorCycles: o.dtorCycles,
    maxGroups: o.maxGroups,
  });
  const put = (pcb: PoolItem) => pool_cache_put(pc, pcb);
  const base = { pc, psz: null, epoch: null, typesafe: false, close: put };
  switch (v) {
    case "pserialize":
    case "pserialize-batched": {
      const psz = pserialize_create(host);
      const perform = v === "pserialize" ? pserialize_perform : pserialize_perform_batched;
      return {
        ...base,
        rc: psz,
        psz,
        *close(pcb) {
          yield* perform(psz);
          yield* pool_cache_put(pc, pcb);
        },
      };
    }
    case "pserialize-typesafe": {
      const psz = pserialize_create(host);
      return {
        ...base,
        rc: psz,
        psz,
        typesafe: true,
        *close(pcb) {
          // in_pcbfree: mark it freed under its lock, then give it back at once
          const lk = inp_lock(host, pcb);
          yield* mutex_enter(lk);
          pcb.freed = true;
          yield* store(pcb.line, pcb.gen);
          yield* mutex_exit(lk);
          yield* pool_cache_put(pc, pcb);
        },
      };
    }
    case "pserialize-deferred": {
      const psz = pserialize_create(host);
      pool_cache_defer_pserialize(pc, psz);
      return { ...base, rc: psz, psz };
    }
    case "smr":
    case "smr-lazy": {
      // hz 1000 for SMR_LAZY: FreeBSD's default
      const smr =
        v === "smr" ? smr_create(host, "inp_smr") : smr_create(host, "inp_smr", SMR_LAZY, 1000);
      pool_cache_set_smr(pc, smr);
      return { ...base, rc: smr };
    }
    case "epoch": {
      const ep = epoch_alloc(host, "net_epoch");
      return { ...base, rc: ep, epoch: ep, close: epoch_pool_free(ep, pc) };
    }
    case "rwlock":
      return { ...base, rc: null };
  }
  throw new SimError(`pcb-churn: unknown variant ${String(v)}`);
}
