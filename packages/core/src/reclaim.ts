/*
 * Safe memory reclamation: what pserialize, epoch and smr have in common.
 *
 * A reader enters a read section, finds an object in a shared structure and
 * uses it, and exits. A writer unlinks the object and either waits for a
 * grace period (every reader that could have seen it has exited) before
 * freeing it, or retires it: the scheme frees it later, once it can prove
 * the grace period over. The three schemes differ in what a read section
 * costs, how the writer learns that readers are gone, and how long retired
 * memory waits; the statistics here measure exactly those.
 *
 * Objects are `Reclaimable`s: a size and a life-cycle state, so a reader
 * that uses a freed object is caught (lockdebug `use-after-reclaim`), and a
 * retire of an object still linked in its structure too (`retire-linked`).
 */

import { curlwp, type Host, type KernelGen, type KernelOp, nanotime, SimError } from "@smpnet/sim";
import { quantile } from "./quantile.js";
import { coreState } from "./state.js";

/** An object under a reclamation scheme: linked, unlinked, retired, freed. */
export class Reclaimable {
  /** In its structure: readers can find it. The structure's code keeps this. */
  linked = true;
  retired = false;
  freed = false;
  retiredAtNs = -1;
  freedAtNs = -1;

  constructor(
    readonly name: string,
    readonly bytes: number,
  ) {}
}

/** Bytes retired and not yet freed: now, peak, and the time integral. */
export class PendingBytes {
  pendingBytes = 0;
  pendingBytesPeak = 0;
  private pendingIntegral = 0;
  private pendingSince = 0;

  /** Time-weighted mean of bytes awaiting free, from 0 to `nowNs`. */
  pendingBytesMean(nowNs: number): number {
    const integral = this.pendingIntegral + this.pendingBytes * (nowNs - this.pendingSince);
    return nowNs === 0 ? 0 : integral / nowNs;
  }

  pendingChange(deltaBytes: number, nowNs: number): void {
    this.pendingIntegral += this.pendingBytes * (nowNs - this.pendingSince);
    this.pendingSince = nowNs;
    this.pendingBytes += deltaBytes;
    if (this.pendingBytes > this.pendingBytesPeak) this.pendingBytesPeak = this.pendingBytes;
  }
}

/** Read-side cost, grace periods, memory awaiting free, cross-calls. */
export class ReclaimStats extends PendingBytes {
  /** Read sections entered, and ns spent entering and exiting them. */
  sections = 0;
  sectionNs = 0;
  /** Grace-period latency of each freed object (retire to free), ns. */
  readonly graceNs: number[] = [];
  /** Broadcast cross-calls sent (pserialize), and the IPIs they took. */
  xcalls = 0;
  ipis = 0;
  /** pserialize_perform calls that shared another's cross-call (shared_evcnt). */
  shared = 0;
  /** Grace periods waited for by a blocking synchronize. */
  synchronizes = 0;

  /** Mean read-side cost of one section (enter plus exit), ns. */
  readNsPerSection(): number {
    return this.sections === 0 ? 0 : this.sectionNs / this.sections;
  }

  /** The q-quantile (0..1) of grace-period latency, ns (nearest rank). */
  graceQuantileNs(q: number): number {
    return (
      quantile(
        [...this.graceNs].sort((a, b) => a - b),
        q,
      ) ?? 0
    );
  }
}

/**
 * The one interface every scheme offers. Read sections: `enter`, `exit`
 * (not recursive for smr, as smr_enter; nested for epoch and pserialize).
 * `retire`: deferred free after a grace period. `synchronize`: wait for a
 * grace period, then free what the calling CPU retired before it began.
 * `poll`: free what is provably safe now, never waiting; true when nothing
 * the caller can see is left pending.
 */
export interface Reclaimer {
  readonly name: string;
  readonly host: Host;
  readonly stats: ReclaimStats;
  enter(): KernelOp<void>;
  exit(): KernelOp<void>;
  retire(obj: Reclaimable): KernelGen;
  synchronize(): KernelGen;
  poll(): KernelGen<boolean>;
}

/** Bookkeeping of a retire: lockdebug's check, the pending bytes. */
export function noteRetire(scheme: string, stats: ReclaimStats, obj: Reclaimable): void {
  const host = curlwp().host;
  if (obj.linked) coreState(host).debug?.retireLinked(scheme, obj);
  if (obj.retired) {
    throw new SimError(
      `${scheme}: ${obj.name} retired twice; retire an object once, after unlinking it`,
    );
  }
  obj.retired = true;
  obj.retiredAtNs = nanotime();
  stats.pendingChange(obj.bytes, obj.retiredAtNs);
}

/** The free at the end of a grace period. */
export function noteFree(stats: ReclaimStats, obj: Reclaimable, nowNs: number): void {
  obj.freed = true;
  obj.freedAtNs = nowNs;
  stats.graceNs.push(nowNs - obj.retiredAtNs);
  stats.pendingChange(-obj.bytes, nowNs);
}

/**
 * A reader uses `obj` (dereferences the pointer it found). With lockdebug
 * on, using a freed object is reported; returns false when it was freed.
 */
export function reclaim_use(obj: Reclaimable): boolean {
  if (!obj.freed) return true;
  coreState(curlwp().host).debug?.usedAfterReclaim(obj);
  return false;
}

/** Read-section bookkeeping for lockdebug (sleeping inside one). */
export function noteReadEnter(host: Host, scheme: string): void {
  coreState(host).debug?.readEnter(curlwp(), scheme);
}

export function noteReadExit(host: Host, scheme: string): void {
  coreState(host).debug?.readExit(curlwp(), scheme);
}
