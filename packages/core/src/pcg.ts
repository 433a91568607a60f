/*
 * pool_cache groups and the depot's lock-free lists, after NetBSD
 * sys/kern/subr_pool.c v1.284 (pool_pcg_get, pool_pcg_put, pool_pcg_trunc).
 *
 * A list is one word, the head pointer. A get swaps the head for a busy
 * marker (pcg_dummy) with a CAS, reads the head's next and stores it back:
 * the marker keeps concurrent gets and puts off the list for those two
 * instructions, so a get never reads the next of a group another CPU has
 * already taken (the ABA problem of a lock-free stack). A put links its group
 * in front of the head with one CAS. Whoever finds the marker spins with
 * SPINLOCK_BACKOFF until it is gone; callers run at IPL_VM, as the kernel
 * requires ("spin wait vs. kernel_lock").
 */
import {
  atomic_cas,
  type CacheLine,
  type Host,
  IPL_VM,
  type KernelGen,
  load,
  spin_until,
  splraise,
  splx,
  store,
} from "@smpnet/sim";
import { backoff } from "./constants.js";
import type { PoolItem } from "./pool.js";

/** PCG_NOBJECTS_NORMAL on LP64 (a 256-byte group), sys/pool.h v1.96. */
export const PCG_NOBJECTS = 15;

/** pcg_t: a group of objects; `objects.length` is pcg_avail. */
export interface pcg_t {
  next: pcg_t | null;
  readonly objects: PoolItem[];
  /** pcg_size: 0 for pcg_dummy (always empty, yet always full). */
  readonly size: number;
  /** The group's memory, from the group pool (null for pcg_dummy). */
  readonly mem: PoolItem | null;
  /** set_smr pools: the smr goal stamped when it filled. */
  goal: number;
}

/** pcg_dummy: a CPU's placeholder group, and a list's busy marker. */
export const pcg_dummy: pcg_t = Object.freeze({
  next: null,
  objects: [] as PoolItem[],
  size: 0,
  mem: null,
  goal: 0,
}) as pcg_t;

export function pcg_new(mem: PoolItem | null): pcg_t {
  return { next: null, objects: [], size: PCG_NOBJECTS, mem, goal: 0 };
}

/** A list head: a cache line whose word is a pcg_t, null or pcg_dummy. */
export function pcg_list(host: Host, name: string): CacheLine {
  return host.cacheline(name, null);
}

function* waitNotBusy(head: CacheLine): KernelGen {
  yield* spin_until([head], () => head.value !== pcg_dummy, backoff(head));
}

/** pool_pcg_get: pop a group, or null; true in `contended` when it had to wait. */
export function* pool_pcg_get(
  head: CacheLine,
): KernelGen<{ pcg: pcg_t | null; contended: boolean }> {
  let contended = false;
  for (;;) {
    const o = (yield* load(head)) as pcg_t | null;
    if (o === pcg_dummy) {
      contended = true;
      yield* waitNotBusy(head);
      continue;
    }
    if (o === null) return { pcg: null, contended };
    if ((yield* atomic_cas(head, o, pcg_dummy)) === o) {
      yield* store(head, o.next);
      o.next = null;
      return { pcg: o, contended };
    }
  }
}

/** pool_pcg_put: push a group; returns true when it had to wait. */
export function* pool_pcg_put(head: CacheLine, pcg: pcg_t): KernelGen<boolean> {
  let contended = false;
  for (;;) {
    const o = (yield* load(head)) as pcg_t | null;
    if (o === pcg_dummy) {
      contended = true;
      yield* waitNotBusy(head);
      continue;
    }
    pcg.next = o;
    if ((yield* atomic_cas(head, o, pcg)) === o) return contended;
  }
}

/** pool_pcg_trunc: take the whole list at once. */
export function* pool_pcg_trunc(head: CacheLine): KernelGen<pcg_t | null> {
  const s = yield* splraise(IPL_VM);
  for (;;) {
    const o = (yield* load(head)) as pcg_t | null;
    if (o === pcg_dummy) {
      yield* waitNotBusy(head);
      continue;
    }
    if ((yield* atomic_cas(head, o, null)) === o) {
      yield* splx(s);
      return o;
    }
  }
}

/** The groups of a chain, head first. */
export function pcg_chain(pcg: pcg_t | null): pcg_t[] {
  const out: pcg_t[] = [];
  for (let g = pcg; g !== null; g = g.next) out.push(g);
  return out;
}
