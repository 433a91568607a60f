/*
 * The pending-event set: a timing wheel with a bitmap of occupied slots, and
 * a binary heap for events beyond the wheel's reach.
 *
 * Why: a machine simulation keeps a few to a few thousand events pending,
 * nearly all just ahead of `now` (each CPU's next step, each device's next
 * interrupt), a few far ahead (timers). The wheel is a calendar queue
 * (R. Brown, CACM 31(10), 1988) whose "year" is a sliding window of WHEEL
 * days starting at the current day; finding the next occupied day is a
 * find-first-set in a two-level bitmap (a summary word over 32 words of
 * slots), as the kernel's run-queue bitmaps do, so pop and push are O(1)
 * however sparse the window is.
 * Events past the window wait in the heap and move onto the wheel as the
 * window reaches them.
 *
 * Invariants:
 * - the wheel holds exactly the events whose day (floor(time / width)) is in
 *   [curDay, curDay + WHEEL); the heap holds the later ones;
 * - each slot's list is sorted by time, equal times in insertion order (an
 *   insert goes after every equal entry), which is the engine's tie rule;
 *   events move from the heap in (time, push order), before any later push
 *   can reach their day, so the rule survives the move;
 * - a push is never earlier than the last event popped (the clock does not
 *   go back); one earlier than the window still works, by rewinding it.
 *
 * The day width adapts: after every AUDIT pushes the queue looks at how
 * many pushes went to the heap (window too short: widen) and how many list
 * entries inserts walked past (days too crowded: narrow), and rebuilds if
 * either is off; it looks on the next push that does either.
 *
 * Storage is struct-of-arrays over slot numbers, recycled through a free
 * list, so steady-state scheduling allocates nothing. A handle is the slot and
 * the push's number (mod 2^31); cancel acts only if that slot still holds that
 * push and is on the wheel or in the heap, so cancelling an event that already
 * ran is harmless.
 */

/** An event handler; it receives the argument it was scheduled with. */
export type EventFn = (arg: never) => void;

/** Identifies a scheduled event; 0 is never a valid handle. */
export type EventHandle = number;

const NIL = -1;
const SLOT_SPAN = 2 ** 22; // handle = (push number & SERIAL_MASK) * SLOT_SPAN + slot
const SERIAL_MASK = 0x7fffffff;
const WHEEL = 1024; // days in the window: 32 words of 32 bits, one summary word
const MASK = WHEEL - 1;
const AUDIT = 4096; // pushes between audits of the day width (a power of two)
const MAX_OVERFLOW = AUDIT >> 3; // more pushes than this to the heap per audit: widen
const MAX_WALK = AUDIT; // more list entries walked than this per audit: narrow

export class EventQueue {
  private time = new Float64Array(64);
  /** Push number of the event in each slot (exact up to 2^53), kept until reuse, -1 never used or cancelled: orders ties in the heap, validates handles. */
  private order = new Float64Array(64).fill(-1);
  private next = new Int32Array(64).fill(NIL);
  /** Index in the heap; NIL for every slot not in the heap (written by heap operations only). */
  private hpos = new Int32Array(64).fill(NIL);
  /**
   * Handler and argument of slot s at 2s and 2s+1: one array to check and
   * index instead of two. Sized ahead like the typed arrays (a store past the
   * end would make V8 emit a growing store).
   */
  private calls: unknown[] = new Array<unknown>(128).fill(null);
  private freeList = NIL;
  private used = 0;
  private pushes = 1;

  private heads = new Int32Array(WHEEL).fill(NIL);
  private tails = new Int32Array(WHEEL).fill(NIL);
  private bits = new Int32Array(WHEEL >> 5);
  /** Bit w set when bits[w] has a slot set. */
  private summary = 0;
  private cur = 0;
  private curDay = 0;
  private width = 1;
  private inv = 1;

  private heap = new Int32Array(64);
  private heapSize = 0;

  /** Bucket of the earliest event, as the last peekTime found it. */
  private headBucket = 0;
  /**
   * peekTimeCached's last answer and the (pushes, size) it was given at: any
   * push changes the first, and pops and cancels alone only lower the second.
   */
  private peeked = 0;
  private peekedPushes = -1;
  private peekedSize = -1;

  private auditStart = 1;
  private overflowPushes = 0;
  private walked = 0;

  /** Number of pending events. */
  size = 0;

  /*
   * push, peekTime and popAndRun hold only the common case and call out for
   * the rest. V8 (11, Node 20) inlines them, and the handler an event runs,
   * into one another only while their bytecode together stays under its
   * budget (920 bytes, each candidate reserved at 1.2 times its size): a
   * dispatch loop over this queue runs 10-15% faster inlined. Hence: no cached
   * head to keep valid on push, the width audit only on push's uncommon
   * path, no store marking a slot free on pop (cancel checks that the slot is
   * on its list), locals for arrays used twice, `s < 0` for NIL. The chain
   * is about 860 bytes: after adding to any of it, check that the bench loop
   * still inlines it all (`node --trace-turbo-inlining bench/run.mjs`).
   */

  /** Schedules `fn(arg)` at absolute time `t`; returns a handle for `cancel`. */
  push(t: number, fn: EventFn, arg: unknown): EventHandle {
    let s = this.freeList;
    if (s < 0) s = this.newSlot();
    else this.freeList = this.next[s]!;
    const next = this.next; // after newSlot, which may grow the arrays
    const o = this.pushes;
    this.pushes = o + 1;
    const time = this.time;
    time[s] = t;
    this.order[s] = o;
    const calls = this.calls;
    calls[2 * s] = fn;
    calls[2 * s + 1] = arg;
    this.size++;
    // The common case: a day in the window, not before the day's last event.
    // `ahead` is exact (t is a multiple of 2^-10 ns, the width a power of two)
    // and in the window truncates to the day with one conversion, where
    // Math.floor's round-convert-check chain was the push's critical path.
    const ahead = t * this.inv - this.curDay;
    const b = (this.cur + (ahead | 0)) & MASK;
    const tails = this.tails;
    const tail = tails[b]!;
    if (ahead >= 0 && ahead < WHEEL && (tail < 0 || time[tail]! <= t)) {
      next[s] = NIL;
      if (tail < 0) this.occupy(b, s);
      else next[tail] = s;
      tails[b] = s;
    } else {
      this.placeSlow(s, t);
    }
    return (o & SERIAL_MASK) * SLOT_SPAN + s;
  }

  /** Removes a pending event; false if it already ran or was cancelled. */
  cancel(h: EventHandle): boolean {
    // floor and multiply, both exact for a power of two: `%` on a double is a call to fmod
    const serial = Math.floor(h / SLOT_SPAN);
    const s = h - serial * SLOT_SPAN;
    // a slot that ran or was cancelled keeps its push number until reused: it is pending only if found
    if (s >= this.used || (this.order[s]! & SERIAL_MASK) !== serial) return false;
    if (this.hpos[s] !== NIL) this.heapRemove(s);
    else if (!this.unlink(s, Math.floor(this.time[s]! * this.inv) & MASK)) return false;
    this.release(s);
    this.size--;
    return true;
  }

  /** Time of the earliest pending event, or Infinity when none. */
  peekTime(): number {
    const s = this.findHead();
    return s < 0 ? Infinity : this.time[s]!;
  }

  /** peekTime, remembered until the next push, pop or cancel: for a caller that asks again and again. */
  peekTimeCached(): number {
    if (this.peekedPushes !== this.pushes || this.peekedSize !== this.size) {
      this.peekedPushes = this.pushes;
      this.peekedSize = this.size;
      this.peeked = this.peekTime();
    }
    return this.peeked;
  }

  /**
   * Removes the earliest event and runs it. Call it right after peekTime()
   * returned a finite time (it pops from the bucket peekTime found), with the
   * clock set to that time.
   */
  popAndRun(): void {
    const b = this.headBucket;
    // The window starts at the day of the event being run: the clock's day.
    if (b !== this.cur) this.advance(b);
    const heads = this.heads;
    const s = heads[b]!;
    const next = this.next;
    const n = next[s]!;
    heads[b] = n;
    if (n < 0) this.vacate(b);
    const calls = this.calls;
    const fn = calls[2 * s] as EventFn;
    const arg = calls[2 * s + 1];
    // the slot keeps its handler, argument and push number until reused: stores saved per event
    next[s] = this.freeList;
    this.freeList = s;
    this.size--;
    fn(arg as never);
  }

  private newSlot(): number {
    if (this.used === this.time.length) this.grow();
    return this.used++;
  }

  /** Slides the window to start at bucket `b`, taking in the heap events it now reaches. */
  private advance(b: number): void {
    this.curDay += (b - this.cur) & MASK;
    this.cur = b;
    if (this.heapSize > 0) this.migrate();
  }

  // Shift counts are taken mod 32: `1 << b` is bit b & 31 of word b >> 5.
  private occupy(b: number, s: number): void {
    this.heads[b] = s;
    this.bits[b >> 5]! |= 1 << b;
    this.summary |= 1 << (b >> 5);
  }

  private vacate(b: number): void {
    this.tails[b] = NIL;
    this.clearBit(b);
  }

  private release(s: number): void {
    this.order[s] = -1;
    this.calls[2 * s + 1] = null;
    this.next[s] = this.freeList;
    this.freeList = s;
  }

  /** push's uncommon case: the width may need a change first, then `s` goes where its day says. */
  private placeSlow(s: number, t: number): void {
    this.audit();
    this.place(s, t);
  }

  /** Puts slot `s` on the wheel or in the heap, by its day. */
  private place(s: number, t: number): void {
    const day = Math.floor(t * this.inv);
    const ahead = day - this.curDay;
    if (ahead >= WHEEL) {
      this.overflowPushes++;
      this.heapPush(s);
    } else if (ahead >= 0) {
      this.link(s, t, day & MASK);
    } else {
      this.rewind(day);
      this.link(s, t, day & MASK);
    }
  }

  /*
   * A push before the window: peekTime slid the window ahead to the heap's
   * earliest event while the clock stayed behind (the machine asks for the
   * horizon while its CPUs run ahead of the queue), and something earlier
   * came. The window starts at `day` instead. A bucket serves one day of the
   * window, so the buckets of the days it now gains hold the days it loses,
   * its last `back` ones: those go to the heap; the rest stay where they are.
   * In the udp-path bench this came once every 20 datagrams, and the full
   * rebuild it used to take cost more than the rest of the queue's work.
   */
  private rewind(day: number): void {
    const back = this.curDay - day;
    if (back >= WHEEL) {
      this.rebuild(this.width, day);
      return;
    }
    const heads = this.heads;
    for (let d = day; d < this.curDay; d++) {
      const b = d & MASK;
      let i = heads[b]!;
      if (i === NIL) continue;
      while (i !== NIL) {
        const n = this.next[i]!;
        this.heapPush(i);
        i = n;
      }
      heads[b] = NIL;
      this.vacate(b);
    }
    this.curDay = day;
    this.cur = day & MASK;
  }

  /** Inserts `s` into bucket `b`, after every entry not later than it. */
  private link(s: number, t: number, b: number): void {
    const tail = this.tails[b]!;
    if (tail === NIL) {
      this.occupy(b, s);
      this.tails[b] = s;
      this.next[s] = NIL;
    } else if (this.time[tail]! <= t) {
      this.next[tail] = s;
      this.tails[b] = s;
      this.next[s] = NIL;
    } else {
      let prev = NIL;
      let i = this.heads[b]!;
      while (this.time[i]! <= t) {
        prev = i;
        i = this.next[i]!;
        this.walked++;
      }
      this.next[s] = i;
      if (prev === NIL) this.heads[b] = s;
      else this.next[prev] = s;
    }
  }

  /** Removes `s` from bucket `b`'s list; false if it is not there. */
  private unlink(s: number, b: number): boolean {
    let prev = NIL;
    let i = this.heads[b]!;
    while (i !== s) {
      if (i === NIL) return false;
      prev = i;
      i = this.next[i]!;
    }
    const n = this.next[s]!;
    if (prev === NIL) this.heads[b] = n;
    else this.next[prev] = n;
    if (this.tails[b] === s) this.tails[b] = prev;
    if (this.heads[b] === NIL) this.clearBit(b);
    return true;
  }

  private clearBit(b: number): void {
    const w = b >> 5;
    const left = this.bits[w]! & ~(1 << b);
    this.bits[w] = left;
    if (left === 0) this.summary &= ~(1 << w);
  }

  /** The earliest event (and its bucket, for popAndRun): the first occupied day of the window. */
  private findHead(): number {
    const cur = this.cur;
    const m = this.bits[cur >> 5]! & (-1 << cur);
    if (m === 0) return this.findLater();
    const b = (cur & -32) | (31 - Math.clz32(m & -m));
    this.headBucket = b;
    return this.heads[b]!;
  }

  /** findHead when nothing is left in the window's first word. */
  private findLater(): number {
    if (this.size === this.heapSize) return this.slideToHeap();
    const w = this.nextWord(this.cur >> 5);
    const m = this.bits[w]!;
    const b = (w << 5) | (31 - Math.clz32(m & -m));
    this.headBucket = b;
    return this.heads[b]!;
  }

  /** The first occupied word of slots after word `w`, or (wrapping) the first of all. */
  private nextWord(w: number): number {
    const later = w === 31 ? 0 : this.summary & (-2 << w);
    const sm = later !== 0 ? later : this.summary;
    return 31 - Math.clz32(sm & -sm);
  }

  /**
   * Nothing in the window: slides it so that it ends at the earliest event of
   * the heap, if any (it keeps the days before that event, where the next
   * pushes are likely to go: see rewind).
   */
  private slideToHeap(): number {
    if (this.size === 0) return NIL;
    const d = Math.max(this.curDay, Math.floor(this.time[this.heap[0]!]! * this.inv) - (WHEEL - 1));
    this.cur = d & MASK;
    this.curDay = d;
    this.migrate();
    return this.findHead();
  }

  /** Moves onto the wheel every heap event the window now reaches. */
  private migrate(): void {
    const limit = this.curDay + WHEEL;
    while (this.heapSize > 0) {
      const s = this.heap[0]!;
      const t = this.time[s]!;
      const day = Math.floor(t * this.inv);
      if (day >= limit) break;
      this.heapRemove(s);
      this.link(s, t, day & MASK);
    }
  }

  /**
   * Once AUDIT pushes have passed since the last audit: was the day width
   * right for them? Called only from push's uncommon case, before it counts,
   * so a queue that never leaves the common case is never audited (and needs
   * no change). Pushes to the heap are counted only there, so theirs all fall
   * in the first AUDIT pushes of the span; walks are also counted when events
   * move from the heap, so theirs are judged per AUDIT pushes of the span.
   */
  private audit(): void {
    const periods = Math.floor((this.pushes - this.auditStart) / AUDIT);
    if (periods === 0) return;
    this.auditStart += periods * AUDIT;
    const widen = this.overflowPushes > MAX_OVERFLOW;
    const narrow = !widen && this.walked > MAX_WALK * periods && this.width > 2 ** -10;
    if (widen) this.rebuild(this.width * 4, this.curDay / 4);
    else if (narrow) this.rebuild(this.width / 2, this.curDay * 2);
    this.overflowPushes = 0;
    this.walked = 0;
  }

  /**
   * Re-places every event with a new day width and a window starting at day
   * `startDay` (in the new width). Events keep their order: the wheel is
   * emptied slot by slot in time order, then the heap in (time, push) order.
   */
  private rebuild(width: number, startDay: number): void {
    const slots: number[] = [];
    for (let j = 0; j < WHEEL; j++) {
      const b = (this.cur + j) & MASK;
      for (let i = this.heads[b]!; i !== NIL; i = this.next[i]!) slots.push(i);
    }
    while (this.heapSize > 0) {
      const s = this.heap[0]!;
      this.heapRemove(s);
      slots.push(s);
    }
    this.heads.fill(NIL);
    this.tails.fill(NIL);
    this.bits.fill(0);
    this.summary = 0;
    this.width = width;
    this.inv = 1 / width;
    this.curDay = Math.floor(startDay);
    this.cur = this.curDay & MASK;
    for (const s of slots) this.place(s, this.time[s]!);
  }

  // ---- the heap of events beyond the window, by (time, push order) -------------

  private before(a: number, b: number): boolean {
    const ta = this.time[a]!;
    const tb = this.time[b]!;
    return ta < tb || (ta === tb && this.order[a]! < this.order[b]!);
  }

  private heapPush(s: number): void {
    if (this.heapSize === this.heap.length) {
      const h = new Int32Array(this.heap.length * 2);
      h.set(this.heap);
      this.heap = h;
    }
    this.siftUp(s, this.heapSize++);
  }

  private heapRemove(s: number): void {
    const i = this.hpos[s]!;
    this.hpos[s] = NIL;
    const last = this.heap[--this.heapSize]!;
    if (last === s) return;
    if (i > 0 && this.before(last, this.heap[(i - 1) >> 1]!)) this.siftUp(last, i);
    else this.siftDown(last, i);
  }

  private siftUp(s: number, i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p]!;
      if (!this.before(s, q)) break;
      h[i] = q;
      this.hpos[q] = i;
      i = p;
    }
    h[i] = s;
    this.hpos[s] = i;
  }

  private siftDown(s: number, i: number): void {
    const h = this.heap;
    const n = this.heapSize;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.before(h[c + 1]!, h[c]!)) c++;
      const q = h[c]!;
      if (!this.before(q, s)) break;
      h[i] = q;
      this.hpos[q] = i;
      i = c;
    }
    h[i] = s;
    this.hpos[s] = i;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, fill: number) => {
      const b = new Int32Array(cap).fill(fill);
      b.set(a);
      return b;
    };
    this.time = f64(this.time);
    for (let i = this.calls.length; i < 2 * cap; i++) this.calls.push(null);
    const order = new Float64Array(cap).fill(-1);
    order.set(this.order);
    this.order = order;
    this.next = i32(this.next, NIL);
    this.hpos = i32(this.hpos, NIL);
  }
}
