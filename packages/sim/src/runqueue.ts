/*
 * A CPU's run queue: one FIFO per priority and a bitmap of the non-empty
 * ones, as NetBSD's kern_runq.c keeps them (spc_queue, spc_bitmap).
 */

import type { Lwp } from "./lwp.js";
import { PRI_COUNT } from "./priority.js";

const WORDS = Math.ceil(PRI_COUNT / 32);

export class RunQueue {
  private queues: Lwp[][] = Array.from({ length: PRI_COUNT }, () => []);
  private bitmap = new Uint32Array(WORDS);
  count = 0;
  /** Waiting LWPs that may migrate: an idle CPU only looks here when there are some. */
  private unbound = 0;

  enqueue(l: Lwp): void {
    this.queues[l.pri]!.push(l);
    this.bitmap[l.pri >> 5]! |= 1 << (l.pri & 31);
    this.count++;
    if (!l.bound) this.unbound++;
  }

  /** Highest waiting priority, or -1 when empty. */
  highestPri(): number {
    if (this.count === 0) return -1;
    for (let w = WORDS - 1; w >= 0; w--) {
      const bits = this.bitmap[w]!;
      if (bits !== 0) return w * 32 + 31 - Math.clz32(bits);
    }
    return -1;
  }

  /** The oldest LWP of the highest priority, left in place; null when empty. */
  peek(): Lwp | null {
    const pri = this.highestPri();
    return pri < 0 ? null : this.queues[pri]![0]!;
  }

  /** Takes the oldest LWP of the highest priority, or null. */
  dequeue(): Lwp | null {
    const pri = this.highestPri();
    if (pri < 0) return null;
    return this.take(pri, 0);
  }

  /** The first waiting LWP above priority `floor` that `pred` accepts, highest first, left in place. */
  find(floor: number, pred: (l: Lwp) => boolean): Lwp | null {
    for (let w = WORDS - 1; w >= 0; w--) {
      let bits = this.bitmap[w]!;
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits);
        bits &= ~(1 << bit);
        const pri = w * 32 + bit;
        if (pri <= floor) return null;
        for (const l of this.queues[pri]!) if (pred(l)) return l;
      }
    }
    return null;
  }

  /** Takes the first LWP that may migrate (not bound), highest priority first. */
  stealable(): Lwp | null {
    if (this.unbound === 0) return null;
    for (let w = WORDS - 1; w >= 0; w--) {
      let bits = this.bitmap[w]!;
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits);
        bits &= ~(1 << bit);
        const pri = w * 32 + bit;
        const q = this.queues[pri]!;
        for (let i = 0; i < q.length; i++) if (!q[i]!.bound) return this.take(pri, i);
      }
    }
    return null;
  }

  /** Takes `l` out wherever it waits (sched_dequeue); false when it is not here. */
  remove(l: Lwp): boolean {
    const i = this.queues[l.pri]!.indexOf(l);
    if (i < 0) return false;
    this.take(l.pri, i);
    return true;
  }

  private take(pri: number, i: number): Lwp {
    const q = this.queues[pri]!;
    const l = i === 0 ? q.shift()! : q.splice(i, 1)[0]!;
    if (q.length === 0) this.bitmap[pri >> 5]! &= ~(1 << (pri & 31));
    this.count--;
    if (!l.bound) this.unbound--;
    return l;
  }
}
