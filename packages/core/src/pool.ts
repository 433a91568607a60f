/*
 * pool(9), the backing allocator of a pool_cache, after NetBSD
 * sys/kern/subr_pool.c v1.284: page-sized slabs cut into items, behind the
 * pool's lock (pr_lock), each page on the empty, partial or full list.
 *
 * Pages go back to the system only in pool_reclaim, once empty and idle for
 * pool_inactive_time (10 s). A PR_PSERIALIZE pool (a pool_cache with that
 * flag and no destructor) runs pool_barrier, xc_barrier(0), before each
 * page leaves: a reader that found an item under pserialize may still be
 * looking at it, and an item's memory must stay of its type until it is done.
 *
 * Left out: off-page headers and bitmaps (PR_NOTOUCH), colouring, low and
 * high water marks, pr_maxpages, the drain hook, red zones.
 */
import {
  type CacheLine,
  curlwp,
  type Host,
  IPL_NONE,
  type Ipl,
  type KernelGen,
  load,
  nanotime,
  SimError,
  store,
  work,
} from "@smpnet/sim";
import {
  type kmutex_t,
  MUTEX_DEFAULT,
  mutex_enter,
  mutex_exit,
  mutex_init,
  mutex_tryenter,
} from "./mutex.js";
import { Reclaimable } from "./reclaim.js";
import { coreState } from "./state.js";
import { xc_barrier } from "./xcall.js";

/** PAGE_SIZE of both modelled machines (MIPS64 and amd64 kernels use 4 KiB pages). */
export const POOL_PAGE_SIZE = 4096;
/** Cycles to get a fresh page from uvm_km (pool_page_alloc): estimate. */
export const POOL_PAGE_ALLOC_CYCLES = 2_000;
/** Cycles to give a page back (pool_page_free, uvm_km_kmem_free): estimate. */
export const POOL_PAGE_FREE_CYCLES = 2_000;
/** pool_inactive_time: seconds a page must sit empty before pool_reclaim frees it (subr_pool.c). */
export const POOL_INACTIVE_TIME_NS = 10e9;
/** PR_PSERIALIZE's value in sys/pool.h v1.96: "needs pserialize sync point before free". */
export const PR_PSERIALIZE = 0x20000;

/** A page of a pool (pool_item_header). */
export class PoolPage {
  /** Items of this page not handed out. */
  readonly free: PoolItem[] = [];
  /** ph_time: when it last became empty, ns. */
  emptiedAtNs = 0;
  /** When it went back to the system, or -1. */
  releasedAtNs = -1;
  constructor(readonly items: number) {}
  get nmissing(): number {
    return this.items - this.free.length;
  }
}

/**
 * An item of a pool. `gen` counts the times a pool_cache handed it out, so a
 * reader that kept a pointer across a reuse can tell (see pool_item_use).
 */
export class PoolItem extends Reclaimable {
  gen = 0;
  /**
   * The object its user made of this memory, kept across put and get as a
   * pool_cache keeps its objects constructed (pc_ctor runs once per item).
   */
  constructed: unknown = null;
  constructor(
    name: string,
    bytes: number,
    /** The item's memory, where readers find its fields. */
    readonly line: CacheLine,
    readonly page: PoolPage,
  ) {
    super(name, bytes);
  }
}

/**
 * A reader uses `item` as the object it found at generation `genAtLookup`.
 * With lockdebug on, a use after the pool handed the item out again is
 * reported; returns false then.
 */
export function pool_item_use(item: PoolItem, genAtLookup: number): boolean {
  if (item.gen === genAtLookup) return true;
  coreState(curlwp().host).debug?.reusedSinceLookup(item, genAtLookup);
  return false;
}

export class pool_t {
  readonly lock: kmutex_t;
  /** The page lists' heads and counters, written by every get and put. */
  readonly line: CacheLine;
  readonly itemsPerPage: number;
  /** Pages with free items, partial ones first (pr_curpage's choice). */
  private readonly partpages: PoolPage[] = [];
  private readonly emptypages: PoolPage[] = [];
  private made = 0;
  /** Pages allocated (pr_npages), and the ones given back. */
  pages = 0;
  readonly released: PoolPage[] = [];
  /** Items handed out (pr_nout), and pr_hardlimit (pool_sethardlimit). */
  nout = 0;
  hardlimit = Number.POSITIVE_INFINITY;
  /** PR_PSERIALIZE at the pool layer: a barrier before each page leaves. */
  pser = false;

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

  /** pool_prime_page: a fresh page's items; the memory comes from here, once. */
  grow(): void {
    this.pages++;
    const page = new PoolPage(this.itemsPerPage);
    for (let i = 0; i < this.itemsPerPage; i++) {
      const n = this.made++;
      const line = this.host.cacheline(`${this.name}.${n}`, 0);
      page.free.push(new PoolItem(`${this.name}.${n}`, this.size, line, page));
    }
    this.emptypages.push(page);
  }

  take(): PoolItem {
    const page = this.partpages.shift() ?? this.emptypages.shift()!;
    const item = page.free.pop()!;
    if (page.free.length > 0) this.partpages.unshift(page);
    this.nout++;
    return item;
  }

  /** pool_do_put: back to its page; a page that empties goes on the empty list. */
  give(item: PoolItem): void {
    const page = item.page;
    if (page.free.length > 0) this.partpages.splice(this.partpages.indexOf(page), 1);
    page.free.push(item);
    this.nout--;
    if (page.nmissing === 0) {
      page.emptiedAtNs = nanotime();
      this.emptypages.push(page);
    } else this.partpages.unshift(page);
  }

  /** pool_reclaim's scan: take the pages empty for pool_inactive_time off the lists. */
  idlePages(nowNs: number): PoolPage[] {
    const idle = this.emptypages.filter((p) => nowNs - p.emptiedAtNs >= POOL_INACTIVE_TIME_NS);
    for (const p of idle) this.emptypages.splice(this.emptypages.indexOf(p), 1);
    this.pages -= idle.length;
    return idle;
  }

  /** Pages with an item to hand out. */
  get nfree(): number {
    return this.partpages.length + this.emptypages.length;
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

/** pool_sethardlimit: pool_get fails (PR_NOWAIT) once `n` items are out. */
export function pool_sethardlimit(pp: pool_t, n: number): void {
  if (!(Number.isInteger(n) && n >= 0)) {
    throw new SimError(`pool_sethardlimit: ${pp.name}: n must be a non-negative integer, got ${n}`);
  }
  pp.hardlimit = n;
}

/** pool_get(PR_NOWAIT): an item, from a page with room or a new page; null at the hard limit. */
export function* pool_get(pp: pool_t): KernelGen<PoolItem | null> {
  yield* mutex_enter(pp.lock);
  if (pp.nout >= pp.hardlimit) {
    yield* mutex_exit(pp.lock);
    return null;
  }
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

/**
 * pool_reclaim's page half: free every page empty for pool_inactive_time.
 * Thread context. Returns the number of pages given back. (The pool_cache
 * half, pool_cache_invalidate first, is pool_cache_reclaim's.)
 */
export function* pool_reclaim_pages(pp: pool_t): KernelGen<number> {
  if (!(yield* mutex_tryenter(pp.lock))) return 0;
  const idle = pp.idlePages(nanotime());
  yield* mutex_exit(pp.lock);
  for (const page of idle) yield* pool_allocator_free(pp, page);
  return idle.length;
}

/** pool_allocator_free: a PR_PSERIALIZE pool waits out readers before each page leaves. */
function* pool_allocator_free(pp: pool_t, page: PoolPage): KernelGen {
  if (pp.pser) yield* xc_barrier(pp.host);
  yield* work(POOL_PAGE_FREE_CYCLES);
  page.releasedAtNs = nanotime();
  pp.released.push(page);
}
