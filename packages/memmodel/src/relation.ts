/*
 * Relations over the events of one candidate execution, and sets of them, as
 * bit matrices: a row of 32-bit words per event, in plain arrays (V8
 * allocates those several times faster than typed arrays of this size). The operators are the cat
 * language's (`|` union, `&` inter, `\` minus, `;` seq, `^-1` inverse, `*`
 * cross, `[S]` identity on a set) and its checks (acyclic, empty).
 *
 * A model recomputes its relations for every candidate, but most of them
 * (po & (R * M), fencerel(SYNC), ...) depend on the program alone. Relations
 * and sets built from the program are `fixed`: an operator applied to fixed
 * operands keeps its result on the left operand and returns it the next
 * time, so a model written as plain cat pays for its static part once per
 * event structure, not once per candidate.
 */

let uids = 0;

/** Operator codes for the memo of results on fixed operands. */
enum Op {
  Union,
  Inter,
  Minus,
  Seq,
  Inverse,
  Cross,
}

/** A result remembered under (operator, right operand): `uid * 8 + op`. */
const key = (op: Op, right: { readonly uid: number } | undefined) => (right?.uid ?? 0) * 8 + op;

export class EventSet {
  readonly uid = ++uids;
  private readonly memo = new Map<number, Relation>();

  constructor(
    readonly n: number,
    readonly bits: number[],
  ) {}

  static of(n: number, members: Iterable<number>): EventSet {
    const bits: number[] = new Array((n + 31) >>> 5).fill(0);
    for (const i of members) bits[i >>> 5]! |= 1 << (i & 31);
    return new EventSet(n, bits);
  }

  has(i: number): boolean {
    return (this.bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** `S * T`: every pair from this set to `t`. */
  cross(t: EventSet): Relation {
    const k = key(Op.Cross, t);
    let r = this.memo.get(k);
    if (r === undefined) {
      r = Relation.empty(this.n, true);
      for (let i = 0; i < this.n; i++) {
        if (this.has(i)) for (let w = 0; w < r.words; w++) r.bits[i * r.words + w] = t.bits[w]!;
      }
      this.memo.set(k, r);
    }
    return r;
  }
}

export class Relation {
  /** Set for fixed relations only: the key of results remembered on their left operand. */
  readonly uid: number;
  readonly words: number;
  private memo: Map<number, Relation> | undefined;

  constructor(
    readonly n: number,
    readonly bits: number[],
    /** Built from the program alone (see above); results on fixed operands are remembered. */
    readonly fixed = false,
  ) {
    this.words = (n + 31) >>> 5;
    this.uid = fixed ? ++uids : 0;
  }

  static empty(n: number, fixed = false): Relation {
    return new Relation(n, new Array(n * ((n + 31) >>> 5)).fill(0), fixed);
  }

  /** Adds a pair in place: only while building a relation. */
  add(a: number, b: number): void {
    this.bits[a * this.words + (b >>> 5)]! |= 1 << (b & 31);
  }

  has(a: number, b: number): boolean {
    return (this.bits[a * this.words + (b >>> 5)]! & (1 << (b & 31))) !== 0;
  }

  private compute(op: Op, r: Relation | undefined): number[] {
    const a = this.bits;
    const n = this.n;
    const w = this.words;
    switch (op) {
      case Op.Union: {
        const out = a.slice();
        const b = r!.bits;
        for (let k = 0; k < out.length; k++) out[k]! |= b[k]!;
        return out;
      }
      case Op.Inter: {
        const out = a.slice();
        const b = r!.bits;
        for (let k = 0; k < out.length; k++) out[k]! &= b[k]!;
        return out;
      }
      case Op.Minus: {
        const out = a.slice();
        const b = r!.bits;
        for (let k = 0; k < out.length; k++) out[k]! &= ~b[k]!;
        return out;
      }
      case Op.Seq: {
        const out: number[] = new Array(a.length).fill(0);
        const b = r!.bits;
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < w; k++) {
            let word = a[i * w + k]!;
            while (word !== 0) {
              const c = (k << 5) + 31 - Math.clz32(word & -word);
              word &= word - 1;
              for (let j = 0; j < w; j++) out[i * w + j]! |= b[c * w + j]!;
            }
          }
        }
        return out;
      }
      default: {
        const out: number[] = new Array(a.length).fill(0);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) if (this.has(i, j)) out[j * w + (i >>> 5)]! |= 1 << (i & 31);
        return out;
      }
    }
  }

  private apply(op: Op, r: Relation | undefined): Relation {
    if (!this.fixed || (r !== undefined && !r.fixed))
      return new Relation(this.n, this.compute(op, r));
    this.memo ??= new Map();
    const k = key(op, r);
    let out = this.memo.get(k);
    if (out === undefined) {
      out = new Relation(this.n, this.compute(op, r), true);
      this.memo.set(k, out);
    }
    return out;
  }

  /** `this | r1 | r2 ...`, left to right as a cat file writes it. */
  union(...rs: Relation[]): Relation {
    let acc: Relation = this;
    for (const r of rs) acc = acc.apply(Op.Union, r);
    return acc;
  }

  inter(r: Relation): Relation {
    return this.apply(Op.Inter, r);
  }

  minus(r: Relation): Relation {
    return this.apply(Op.Minus, r);
  }

  /** `this ; r`: a to b where a -this-> c -r-> b. */
  seq(r: Relation): Relation {
    return this.apply(Op.Seq, r);
  }

  inverse(): Relation {
    return this.apply(Op.Inverse, undefined);
  }

  isEmpty(): boolean {
    for (let k = 0; k < this.bits.length; k++) if (this.bits[k] !== 0) return false;
    return true;
  }

  /** The transitive closure `r+` (Warshall's algorithm on rows). */
  closure(): Relation {
    const out = new Relation(this.n, this.bits.slice());
    const w = this.words;
    const bits = out.bits;
    for (let k = 0; k < this.n; k++) {
      const kw = k >>> 5;
      const kb = 1 << (k & 31);
      for (let i = 0; i < this.n; i++) {
        if ((bits[i * w + kw]! & kb) === 0) continue;
        for (let j = 0; j < w; j++) bits[i * w + j]! |= bits[k * w + j]!;
      }
    }
    return out;
  }

  /** No cycle: a depth-first search that never meets an event still on its path. */
  acyclic(): boolean {
    const state = new Array<number>(this.n).fill(0); // 0 unseen, 1 on the path, 2 done
    for (let a = 0; a < this.n; a++) if (state[a] === 0 && !this.visit(a, state)) return false;
    return true;
  }

  private visit(a: number, state: number[]): boolean {
    state[a] = 1;
    const w = this.words;
    for (let k = 0; k < w; k++) {
      let word = this.bits[a * w + k]!;
      while (word !== 0) {
        const b = (k << 5) + 31 - Math.clz32(word & -word);
        word &= word - 1;
        if (state[b] === 1 || (state[b] === 0 && !this.visit(b, state))) return false;
      }
    }
    state[a] = 2;
    return true;
  }

  /** One cycle as a list of events, the first repeated at the end; undefined when acyclic. */
  cycle(): number[] | undefined {
    const plus = this.closure();
    const start = Array.from({ length: this.n }, (_, i) => i).find((i) => plus.has(i, i));
    if (start === undefined) return undefined;
    // Breadth-first from start back to start: the shortest cycle through it.
    const prev = new Map<number, number>();
    let frontier = [start];
    while (frontier.length > 0) {
      const next: number[] = [];
      for (const a of frontier) {
        for (let b = 0; b < this.n; b++) {
          if (!this.has(a, b) || prev.has(b)) continue;
          prev.set(b, a);
          if (b === start) {
            const path = [start];
            for (let c = a; c !== start; c = prev.get(c)!) path.unshift(c);
            path.unshift(start);
            return path;
          }
          next.push(b);
        }
      }
      frontier = next;
    }
    return undefined;
  }

  pairs(): [number, number][] {
    const out: [number, number][] = [];
    for (let a = 0; a < this.n; a++)
      for (let b = 0; b < this.n; b++) if (this.has(a, b)) out.push([a, b]);
    return out;
  }
}
