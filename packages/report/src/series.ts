/*
 * The run's time series, bounded so that a long run's memory stays flat:
 * past `max` bins the throughput series merges neighbours and doubles its
 * bin, and a counter series past `max` points keeps every other one and
 * from then on one point per doubled gap (a change inside the gap updates
 * the point before it). A short run keeps every bin and every change.
 */

/** Bytes per bin of binNs from the start of the run, at most `max` bins. */
export class BinnedSeries {
  readonly bytes: number[] = [];

  constructor(
    public binNs: number,
    private readonly max: number,
  ) {}

  add(tNs: number, n: number): void {
    let bin = Math.floor(tNs / this.binNs);
    while (bin >= this.max) {
      this.coarsen();
      bin = Math.floor(tNs / this.binNs);
    }
    while (this.bytes.length <= bin) this.bytes.push(0);
    this.bytes[bin]! += n;
  }

  private coarsen(): void {
    const b = this.bytes;
    const half = Math.ceil(b.length / 2);
    for (let i = 0; i < half; i++) b[i] = b[2 * i]! + (b[2 * i + 1] ?? 0);
    b.length = half;
    this.binNs *= 2;
  }
}

/** [time, value] at each change of a counter, at most `max` points. */
export class ChangeSeries {
  readonly points: [number, number][] = [];
  private gapNs = 0;

  constructor(private readonly max: number) {}

  /** False when `value` is the value already recorded last. */
  add(tNs: number, value: number): boolean {
    const p = this.points;
    const last = p[p.length - 1];
    if (last !== undefined && last[1] === value) return false;
    if (last !== undefined && tNs - last[0] < this.gapNs) {
      last[1] = value;
      return true;
    }
    p.push([tNs, value]);
    if (p.length > this.max) this.thin();
    return true;
  }

  private thin(): void {
    const p = this.points;
    let w = 0;
    // every other point, ending with the last (the value now); equal neighbours merge
    for (let i = (p.length - 1) % 2; i < p.length; i += 2) {
      if (w > 0 && p[w - 1]![1] === p[i]![1]) p[w - 1] = p[i]!;
      else p[w++] = p[i]!;
    }
    p.length = w;
    // the gap the kept points now span on average
    this.gapNs = Math.max(1, 2 * this.gapNs, (p[w - 1]![0] - p[0]![0]) / w);
  }
}
