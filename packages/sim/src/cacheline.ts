/*
 * Cache-line ownership, MSI-style: a line is modified in one CPU's cache
 * (owner) or shared by a set of CPUs. A read of a line this CPU does not hold
 * pays a transfer; a write pays a transfer unless it already holds the line,
 * and an invalidation per other sharer. Transfers of one line are serialised
 * (busyUntil): CPUs that want a contended line queue for it, which is what
 * makes a lock word or a global counter expensive on many CPUs.
 *
 * A line carries one word (`value`), so locks and counters can be built on it.
 * Left out: capacity and conflict misses, prefetch, false sharing between
 * words (a line holds one word), memory ordering (the machine executes every
 * access in one global order; weak ordering is @smpnet/memmodel's job).
 */

import type { Cpu } from "./cpu.js";
import type { Host } from "./host.js";

export class CacheLine {
  value: unknown;
  /** CPU index that holds the line modified, or -1. */
  owner = -1;
  /** One bit per CPU holding the line shared. */
  readonly sharers: Uint32Array;
  /** Time until which a transfer of this line is in flight. */
  busyUntil = 0;
  /** CPUs spinning until this line changes. */
  watchers: Cpu[] = [];
  /** Transfers so far: a contention measure for tests and statistics. */
  transfers = 0;

  constructor(
    readonly host: Host,
    readonly name: string,
    value: unknown,
  ) {
    this.value = value;
    this.sharers = new Uint32Array(Math.ceil(host.cpus.length / 32));
  }

  /** Sets the word; CPUs spinning on the line re-test at their next iteration. */
  set(value: unknown): void {
    this.value = value;
    if (this.watchers.length !== 0) this.notify();
  }

  private notify(): void {
    const w = this.watchers;
    for (let i = 0; i < w.length; i++) w[i]!.lineChanged();
  }

  holds(cpu: number): boolean {
    return this.owner === cpu || (this.sharers[cpu >> 5]! & (1 << (cpu & 31))) !== 0;
  }

  /*
   * read and write are a hit's test and a call for the rest, so that they
   * fit V8's inlining budget in every operation that makes them.
   */

  /** Read by `cpu` at `now`: updates ownership, returns the cost in ns. */
  read(cpu: Cpu, now: number): number {
    return this.holds(cpu.index) ? cpu.cacheHitNs : this.readMiss(cpu, now);
  }

  private readMiss(cpu: Cpu, now: number): number {
    const i = cpu.index;
    if (this.owner >= 0) {
      this.sharers[this.owner >> 5]! |= 1 << (this.owner & 31);
      this.owner = -1;
    }
    this.sharers[i >> 5]! |= 1 << (i & 31);
    return this.transfer(cpu, now);
  }

  /** Write (or atomic update) by `cpu` at `now`: returns the cost in ns. */
  write(cpu: Cpu, now: number): number {
    return this.owner === cpu.index ? cpu.cacheHitNs : this.writeMiss(cpu, now);
  }

  private writeMiss(cpu: Cpu, now: number): number {
    const i = cpu.index;
    const s = this.sharers;
    const hadShared = this.owner === -1 && (s[i >> 5]! & (1 << (i & 31))) !== 0;
    let others = 0;
    for (let w = 0; w < s.length; w++) {
      let bits = s[w]!;
      if (w === i >> 5) bits &= ~(1 << (i & 31));
      while (bits !== 0) {
        bits &= bits - 1;
        others++;
      }
      s[w] = 0;
    }
    this.owner = i;
    const inval = others * cpu.invalidateNs;
    return (hadShared ? cpu.cacheHitNs : this.transfer(cpu, now)) + inval;
  }

  private transfer(cpu: Cpu, now: number): number {
    this.transfers++;
    const start = Math.max(this.busyUntil, now);
    this.busyUntil = start + cpu.lineTransferNs;
    return this.busyUntil - now;
  }
}
