/*
 * Power-of-two histograms, as DTrace's quantize() and lockstat -H draw
 * them: a value v >= 1 falls in the bucket from 2^floor(log2 v); values
 * below 1 ns in the bucket from 0.
 */

import type { Histogram } from "./result.js";

export class Quantize {
  private counts = new Map<number, number>();
  count = 0;
  sumNs = 0;
  maxNs = 0;

  add(ns: number): void {
    const from = ns < 1 ? 0 : 2 ** Math.floor(Math.log2(ns));
    this.counts.set(from, (this.counts.get(from) ?? 0) + 1);
    this.count++;
    this.sumNs += ns;
    if (ns > this.maxNs) this.maxNs = ns;
  }

  toJSON(): Histogram {
    const buckets = [...this.counts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([fromNs, count]) => ({ fromNs, count }));
    return { count: this.count, sumNs: this.sumNs, maxNs: this.maxNs, buckets };
  }
}
