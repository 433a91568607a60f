/*
 * The read side of a pcb table that is searched without a lock, in each of
 * the four reclamation schemes, and the pcb pool that goes with it
 * (kernel.md sections 3, 6, 7 and 10):
 *
 * - pserialize: pserialize_read_enter/exit around the lookup; pcbs from a
 *   pool_cache with PR_PSERIALIZE, NetBSD's type-stable pool. A detached
 *   pcb goes back at once and may be handed out again while a reader still
 *   holds it, so a reader that took the pcb's lock revalidates it (is it
 *   still attached, still the connection it looked up?); the cross-calls
 *   are the pool's, one xc_barrier per batch that leaves the cache.
 * - epoch: epoch_enter_preempt/exit on a preemptible epoch (FreeBSD 12's
 *   pcbs under net_epoch_preempt); a detached pcb is retired with
 *   epoch_call and goes back to a plain pool_cache once a poll shows the
 *   grace period over (in_pcbfree_deferred).
 * - smr, smr-lazy: smr_enter/exit (smr_lazy_enter/exit) and a pool with
 *   pool_cache_set_smr (the 2026 proposal, FreeBSD's inpcb zone since
 *   D33022): memory is not reused while a reader may hold it.
 *
 * Under epoch and smr the pcb cannot change identity inside the section;
 * only a reader that had to leave it to wait for the pcb's lock checks that
 * the pcb was not freed meanwhile (inp_smr_lock's INP_FREED check). Under
 * pserialize every reader must recheck, and that is a revalidation.
 */

import {
  epoch_alloc,
  epoch_enter_preempt,
  epoch_exit_preempt,
  epoch_pool_free,
  type epoch_t,
  PR_PSERIALIZE,
  pool_cache_init,
  pool_cache_set_smr,
  pserialize_create,
  pserialize_read_enter,
  pserialize_read_exit,
  type ReclaimStats,
  SMR_LAZY,
  smr_create,
  smr_enter,
  smr_exit,
  smr_lazy_enter,
  smr_lazy_exit,
} from "@smpnet/core";
import { INPCB_BYTES, type inpcb, type NetStack, type socket } from "@smpnet/netinet";
import {
  after,
  done,
  IPL_NONE,
  type KernelGen,
  type KernelOp,
  load,
  paid,
  paidValue,
  SimError,
  work,
} from "@smpnet/sim";

/** Reclamation schemes a policy may take (the read sections of pcb lookups). */
export const RECLAMATION_SCHEMES = ["pserialize", "epoch", "smr", "smr-lazy"] as const;
export type ReclamationScheme = (typeof RECLAMATION_SCHEMES)[number];

/** Comparing a locked pcb's addresses and ports again with the segment's: estimate. */
export const REVALIDATE_CYCLES = 20;

/** What a pcb reader paid beyond the section itself. */
export class PcbReadStats {
  /** Locked pcbs checked again because their memory may have been reused. */
  revalidations = 0;
  /** Readers that found the pcb freed once they held its lock. */
  revalidationsFailed = 0;
  /** Readers that left the section to wait for a pcb's lock. */
  slowLocks = 0;
}

export interface PcbReader {
  readonly scheme: ReclamationScheme;
  read_enter(): KernelOp<void>;
  read_exit(): KernelOp<void>;
  /** The scheme's own statistics: sections, their cost, cross-calls. */
  readonly rc: { readonly stats: ReclaimStats };
  readonly stats: PcbReadStats;
  /**
   * Takes the pcb's lock for `so`, found inside a read section, and returns
   * inside it: `tryLock(so)` without waiting, else the section is left for
   * `lock(so)` and entered again. Then the revalidation the scheme needs.
   * A plain function: a lock taken at once costs no generator.
   */
  lockFound(
    so: socket,
    tryLock: (so: socket) => KernelOp<boolean>,
    lock: (so: socket) => KernelOp<void>,
  ): KernelOp<void>;
}

const stacks = new WeakMap<NetStack, PcbReader>();

/** The pcb reader a policy attached to `stack` (for its statistics), or null. */
export function pcbReader(stack: NetStack): PcbReader | null {
  return stacks.get(stack) ?? null;
}

/**
 * Gives `stack`'s pcb tables the pool of `scheme` and returns the read
 * side. Called from a policy's attach, before any socket exists.
 */
export function pcb_reclamation(
  stack: NetStack,
  scheme: ReclamationScheme,
  netEpoch?: epoch_t,
): PcbReader {
  const host = stack.host;
  const stats = new PcbReadStats();
  const typeStable = scheme === "pserialize";
  const pc = pool_cache_init(
    host,
    "inpcbpl",
    INPCB_BYTES,
    typeStable ? PR_PSERIALIZE : 0,
    IPL_NONE,
  );
  for (const t of [stack.tcbtable, stack.udbtable]) t.pool = pc;
  let sections: Pick<PcbReader, "read_enter" | "read_exit" | "rc">;
  switch (scheme) {
    case "pserialize": {
      const psz = pserialize_create(host);
      sections = {
        rc: psz,
        read_enter: () => pserialize_read_enter(psz),
        read_exit: () => pserialize_read_exit(psz),
      };
      break;
    }
    case "epoch": {
      const ep = netEpoch ?? epoch_alloc(host, "inp_epoch", true);
      const free = epoch_pool_free(ep, pc);
      for (const t of [stack.tcbtable, stack.udbtable]) t.pcb_free = free;
      sections = {
        rc: ep,
        read_enter: () => epoch_enter_preempt(ep),
        read_exit: () => epoch_exit_preempt(ep),
      };
      break;
    }
    case "smr":
    case "smr-lazy": {
      const lazy = scheme === "smr-lazy";
      const smr = smr_create(host, "inp_smr", lazy ? SMR_LAZY : 0, stack.hz);
      pool_cache_set_smr(pc, smr);
      sections = {
        rc: smr,
        read_enter: () => (lazy ? smr_lazy_enter(smr) : smr_enter(smr)),
        read_exit: () => (lazy ? smr_lazy_exit(smr) : smr_exit(smr)),
      };
      break;
    }
    default:
      throw new SimError(
        `reclamation: "${String(scheme)}" is not a scheme; choose one of ${RECLAMATION_SCHEMES.join(", ")}`,
      );
  }
  // lockFound's steps, each the rest after one operation
  const revalidated = (so: socket, inp: inpcb | null): KernelOp<void> => {
    if (inp === null || so.so_pcb !== inp || inp.item.freed) stats.revalidationsFailed++;
    return done(undefined);
  };
  const compare = (so: socket, inp: inpcb): KernelOp<void> => {
    const o = work(REVALIDATE_CYCLES);
    return paid(o) ? revalidated(so, inp) : after(o, revalidated, so, inp);
  };
  const revalidate = (so: socket, inp: inpcb | null): KernelOp<void> => {
    if (typeStable) stats.revalidations++;
    if (inp === null) return revalidated(so, inp);
    const o = load(inp.item.line);
    return paid(o) ? compare(so, inp) : after(o, compare, so, inp);
  };
  // the section may not block: wait for the lock outside it (inp_smr_lock)
  function* lockOutside(
    so: socket,
    inp: inpcb | null,
    lock: (so: socket) => KernelOp<void>,
  ): KernelGen {
    stats.slowLocks++;
    yield* sections.read_exit();
    yield* lock(so);
    yield* sections.read_enter();
    yield* revalidate(so, inp);
  }
  const tried = (
    so: socket,
    inp: inpcb | null,
    lock: (so: socket) => KernelOp<void>,
    locked: boolean,
  ): KernelOp<void> => {
    if (!locked) return lockOutside(so, inp, lock);
    return typeStable ? revalidate(so, inp) : done(undefined);
  };
  const reader: PcbReader = {
    scheme,
    ...sections,
    stats,
    lockFound(so, tryLock, lock) {
      const inp = so.so_pcb;
      const o = tryLock(so);
      return paid(o)
        ? tried(so, inp, lock, paidValue() as boolean)
        : after(o, tried, so, inp, lock);
    },
  };
  stacks.set(stack, reader);
  return reader;
}
