/*
 * pool(9), the backing allocator of a pool_cache: page-sized slabs cut into
 * items, behind the pool's lock (subr_pool.c's pr_lock and page lists). Pages
 * are never given back (pool_reclaim is not modelled): a churn workload keeps
 * reusing them.
 */
import {
  type CacheLine,
  type Host,
  IPL_NONE,
  type Ipl,
  type KernelGen,
  load,
  SimError,
  store,
  work,
} from "@smpnet/sim";
import { type kmutex_t, MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } from "./mutex.js";
import { Reclaimable } from "./reclaim.js";

/** PAGE_SIZE of both modelled machines (MIPS64 and amd64 kernels use 4 KiB pages). */
export const POOL_PAGE_SIZE = 4096;
/** Cycles to get a fresh page from uvm_km (pool_allocator_meta): estimate. */
export const POOL_PAGE_ALLOC_CYCLES = 2_000;

/**
 * An item of a pool. `gen` counts the times a pool handed it out, so a reader
 * that kept a pointer across a reuse can tell (the churn experiment does).
 */
export class PoolItem extends Reclaimable {
  gen = 0;
  constructor(
    name: string,
    bytes: number,
    /** The item's memory, where readers find its fields. */
    readonly line: CacheLine,
  ) {
    super(name, bytes);
  }
}

export class pool_t {
  readonly lock: kmutex_t;
  /** The page lists' heads and counters, written by every get and put. */
  readonly line: CacheLine;
  readonly itemsPerPage: number;
  private free: PoolItem[] = [];
  private made = 0;
  pages = 0;

  constructor(
    readonly host: Host,
    readonly name: string,
    readonly size: number,
    ipl: Ipl,
  ) {
    this.lock = mutex_init(host, `${name}.pr_lock`, MUTEX_DEFAULT, ipl);
    this.line = host.cacheline(`${name}.pr_pagelist`, 0);
    this.itemsPerPage = Math.floor(POOL_PAGE_SIZE / size);
  }

  /** A fresh page's items: the memory comes from here, once. */
  grow(): void {
    this.pages++;
    for (let i = 0; i < this.itemsPerPage; i++) {
      const n = this.made++;
      this.free.push(
        new PoolItem(`${this.name}.${n}`, this.size, this.host.cacheline(`${this.name}.${n}`, 0)),
      );
    }
  }

  take(): PoolItem {
    return this.free.pop()!;
  }

  give(item: PoolItem): void {
    this.free.push(item);
  }

  get nfree(): number {
    return this.free.length;
  }
}

/** pool_init: items of `size` bytes (at most a page) at interrupt level `ipl`. */
export function pool_init(host: Host, name: string, size: number, ipl: Ipl = IPL_NONE): pool_t {
  if (!Number.isInteger(size) || size < 1 || size > POOL_PAGE_SIZE) {
    throw new SimError(
      `pool_init: size must be an integer from 1 to ${POOL_PAGE_SIZE} bytes (one page), got ${size}`,
    );
  }
  return new pool_t(host, name, size, ipl);
}

/** pool_get: an item, from a page with room or a new page. */
export function* pool_get(pp: pool_t): KernelGen<PoolItem> {
  yield* mutex_enter(pp.lock);
  if (pp.nfree === 0) {
    yield* work(POOL_PAGE_ALLOC_CYCLES);
    pp.grow();
  }
  yield* store(pp.line, ((yield* load(pp.line)) as number) + 1);
  const item = pp.take();
  yield* mutex_exit(pp.lock);
  return item;
}

/** pool_put: the item goes back to its page. */
export function* pool_put(pp: pool_t, item: PoolItem): KernelGen {
  yield* mutex_enter(pp.lock);
  yield* store(pp.line, ((yield* load(pp.line)) as number) - 1);
  pp.give(item);
  yield* mutex_exit(pp.lock);
}
