/*
 * The pending-event set: a calendar queue (R. Brown, "Calendar queues: a fast
 * O(1) priority queue implementation for the simulation event set problem",
 * CACM 31(10), 1988).
 *
 * Why not a binary heap: a machine simulation keeps a few to a few thousand
 * events pending whose times cluster just ahead of `now` (the next step of each
 * CPU, the next interrupt of each device, a few timers). A calendar queue
 * hashes an event into a bucket "day" of a circular "year" by its time, so
 * insert and remove cost O(1) when the bucket width matches the spacing of
 * events; it re-sizes (and re-measures that spacing) when the population
 * doubles or halves.
 *
 * Invariants:
 * - each bucket is a singly linked list sorted by time; equal times keep
 *   insertion order (an insert goes after every equal entry), which is the
 *   engine's tie rule;
 * - `cur` is the bucket of day `curDay` (day = floor(time / width)); no
 *   pending event is on an earlier day. Days are always computed from the
 *   time, never accumulated, so rounding cannot misplace an event;
 * - the head (earliest event) is cached in `head` until the set changes.
 *
 * Brown's calendar re-measures only when the population changes; with a
 * steady population whose spacing drifts (the queue filled at time 0 with
 * events 1 ns apart, then running with events microseconds apart) every day
 * would hold many years' events. So the queue also counts the steps its
 * inserts and searches take and re-measures when they average more than a few
 * per operation (after Oh and Ahn's dynamic calendar queue, 1997).
 *
 * Storage is struct-of-arrays over slot numbers, recycled through a free list,
 * so steady-state scheduling allocates nothing. A handle is the slot and the
 * push's serial number, so cancelling an event that already ran is harmless.
 *
 * Tuning (measured with bench/run.mjs "events"): about one bucket per pending
 * event and a day twice the mean spacing; searches then look at one or two
 * buckets and inserts walk less than one entry.
 */

/** An event handler; it receives the argument it was scheduled with. */
export type EventFn = (arg: never) => void;

/** Identifies a scheduled event; 0 is never a valid handle. */
export type EventHandle = number;

const NIL = -1;
const SLOT_SPAN = 2 ** 22; // handle = serial * SLOT_SPAN + slot: 4M live events at most
const SERIAL_MASK = 0x7fffffff;
const MIN_BUCKETS = 16;
const SAMPLE = 25; // Brown's sample size for re-measuring the bucket width
const DAY_PER_GAP = 2; // day width, in mean gaps between the earliest events
const AUDIT_OPS = 4096; // operations between audits of the search cost
const AUDIT_STEPS = AUDIT_OPS; // more steps than one per operation: re-measure

export class EventQueue {
  private time = new Float64Array(64);
  /** Day of each slot's time, kept so a search compares without dividing. */
  private day = new Float64Array(64);
  private next = new Int32Array(64).fill(NIL);
  /** Serial number of the push that holds each slot; 0 when free. */
  private serial = new Int32Array(64);
  private fns: EventFn[] = [];
  private args: unknown[] = [];
  private freeList = NIL;
  private used = 0;
  private serialNo = 0;

  private buckets = new Int32Array(MIN_BUCKETS).fill(NIL);
  private mask = MIN_BUCKETS - 1;
  private width = 1;
  private invWidth = 1;
  private cur = 0;
  private curDay = 0;
  private head = NIL;
  private ops = 0;
  private steps = 0;

  /** Number of pending events. */
  size = 0;

  /** Schedules `fn(arg)` at absolute time `t`; returns a handle for `cancel`. */
  push(t: number, fn: EventFn, arg: unknown): EventHandle {
    let s = this.freeList;
    if (s === NIL) {
      if (this.used === this.time.length) this.grow();
      s = this.used++;
    } else {
      this.freeList = this.next[s]!;
    }
    const serial = (this.serialNo + 1) & SERIAL_MASK || 1;
    this.serialNo = serial;
    this.serial[s] = serial;
    this.time[s] = t;
    this.fns[s] = fn;
    this.args[s] = arg;
    this.insert(s, t);
    if (++this.size > this.mask + 1) this.resize((this.mask + 1) * 2);
    return serial * SLOT_SPAN + s;
  }

  /** Removes a pending event; false if it already ran or was cancelled. */
  cancel(h: EventHandle): boolean {
    const s = h % SLOT_SPAN;
    if (s >= this.used || this.serial[s] !== (h - s) / SLOT_SPAN) return false;
    const b = this.day[s]! & this.mask;
    let prev = NIL;
    let i = this.buckets[b]!;
    while (i !== s) {
      prev = i;
      i = this.next[i]!;
    }
    if (prev === NIL) this.buckets[b] = this.next[s]!;
    else this.next[prev] = this.next[s]!;
    if (this.head === s) this.head = NIL;
    this.release(s);
    if (--this.size < (this.mask + 1) >> 3 && this.mask + 1 > MIN_BUCKETS) {
      this.resize((this.mask + 1) >> 1);
    }
    return true;
  }

  /** Time of the earliest pending event, or Infinity when none. */
  peekTime(): number {
    const h = this.head !== NIL ? this.head : this.findHead();
    return h === NIL ? Number.POSITIVE_INFINITY : this.time[h]!;
  }

  /**
   * Removes the earliest event and runs it. The caller has checked that one
   * is pending (peekTime() is finite) and has set the clock to its time.
   */
  popAndRun(): void {
    const s = this.head !== NIL ? this.head : this.findHead();
    this.buckets[this.cur] = this.next[s]!;
    this.head = NIL;
    const fn = this.fns[s]!;
    const arg = this.args[s];
    this.release(s);
    if (--this.size < (this.mask + 1) >> 3 && this.mask + 1 > MIN_BUCKETS) {
      this.resize((this.mask + 1) >> 1);
    } else if (++this.ops === AUDIT_OPS) {
      if (this.steps > AUDIT_STEPS) this.resize(this.mask + 1);
      this.ops = 0;
      this.steps = 0;
    }
    fn(arg as never);
  }

  private release(s: number): void {
    this.serial[s] = 0;
    this.args[s] = undefined;
    this.next[s] = this.freeList;
    this.freeList = s;
  }

  private insert(s: number, t: number): void {
    const day = Math.floor(t * this.invWidth);
    this.day[s] = day;
    const b = day & this.mask;
    let i = this.buckets[b]!;
    if (i === NIL || this.time[i]! > t) {
      this.next[s] = i;
      this.buckets[b] = s;
    } else {
      let prev = i;
      i = this.next[i]!;
      while (i !== NIL && this.time[i]! <= t) {
        prev = i;
        i = this.next[i]!;
        this.steps++;
      }
      this.next[s] = i;
      this.next[prev] = s;
    }
    // An event before the current day moves the calendar back to it; the
    // first event into an empty queue moves it forward to it.
    if (day < this.curDay || this.size === 0) {
      this.cur = b;
      this.curDay = day;
    }
    if (this.head !== NIL && t < this.time[this.head]!) this.head = s;
  }

  /** Walks the calendar from the current day to the earliest event. */
  private findHead(): number {
    if (this.size === 0) return NIL;
    const n = this.mask + 1;
    let b = this.cur;
    let day = this.curDay;
    for (let k = 0; k < n; k++) {
      const i = this.buckets[b]!;
      if (i !== NIL && this.day[i]! <= day) {
        this.cur = b;
        this.curDay = day;
        this.head = i;
        this.steps += k;
        return i;
      }
      b = (b + 1) & this.mask;
      day++;
    }
    this.steps += n;
    // A whole year without an event in its day: jump straight to the minimum.
    let best = NIL;
    for (let j = 0; j < n; j++) {
      const i = this.buckets[j]!;
      if (i !== NIL && (best === NIL || this.time[i]! < this.time[best]!)) best = i;
    }
    this.curDay = this.day[best]!;
    this.cur = this.curDay & this.mask;
    this.head = best;
    return best;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const time = new Float64Array(cap);
    time.set(this.time);
    const day = new Float64Array(cap);
    day.set(this.day);
    const next = new Int32Array(cap).fill(NIL);
    next.set(this.next);
    const serial = new Int32Array(cap);
    serial.set(this.serial);
    this.time = time;
    this.day = day;
    this.next = next;
    this.serial = serial;
  }

  /** Re-buckets every event into `nb` days whose width is re-measured. */
  private resize(nb: number): void {
    const slots: number[] = [];
    for (let j = 0; j <= this.mask; j++) {
      for (let i = this.buckets[j]!; i !== NIL; i = this.next[i]!) slots.push(i);
    }
    const times = Float64Array.from(slots, (s) => this.time[s]!).sort();
    this.ops = 0;
    this.steps = 0;
    this.width = measureWidth(times);
    this.invWidth = 1 / this.width;
    this.buckets = new Int32Array(nb).fill(NIL);
    this.mask = nb - 1;
    this.curDay = Math.floor((times.length > 0 ? times[0]! : 0) * this.invWidth);
    this.cur = this.curDay & this.mask;
    this.head = NIL;
    // Re-inserting bucket by bucket in list order keeps equal times in
    // insertion order: equal times always share a bucket.
    for (const s of slots) this.insert(s, this.time[s]!);
  }
}

/**
 * Brown's rule, with our factor: the mean gap between the earliest events,
 * leaving out gaps more than twice the first estimate (stragglers far ahead).
 */
function measureWidth(sorted: Float64Array): number {
  const m = Math.min(sorted.length, SAMPLE);
  if (m < 2) return 1;
  const span = sorted[m - 1]! - sorted[0]!;
  if (span <= 0) return 1;
  const mean = span / (m - 1);
  let sum = 0;
  let count = 0;
  for (let k = 1; k < m; k++) {
    const gap = sorted[k]! - sorted[k - 1]!;
    if (gap <= 2 * mean) {
      sum += gap;
      count++;
    }
  }
  return DAY_PER_GAP * (count > 0 && sum > 0 ? sum / count : mean);
}
