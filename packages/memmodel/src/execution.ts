/*
 * Candidate executions, with herd's names. A Structure is what one choice of
 * path per thread fixes: the events (an initial write per location first,
 * then each thread's), the sets R, W, M, F, IW, A and the relations that do
 * not depend on communication: po, loc, int, ext, rmw, addr, data, ctrl. An
 * Execution adds rf and co (and fr = rf^-1;co \ id) and offers the derived
 * relations a cat file uses: rfe, rfi, coe, coi, fre, fri, com, po-loc, and
 * fencerel(B) = (po & (_ * B)); po.
 *
 * po relates events of different instructions only, as in herd: the read and
 * write of one X86 locked instruction are unordered by po. That is what
 * herd7 computes (it lets two XCHGs on one location read each other's
 * write); the operational cross-checks use `po: "events"`, which orders them.
 */
import type { Expr } from "./expr.js";
import type { ThreadPath } from "./paths.js";
import type { Arch, FenceKind, SourceRef } from "./program.js";
import { EventSet, Relation } from "./relation.js";
import type { Value } from "./value.js";

export interface Event {
  readonly id: number;
  /** The thread, or -1 for an initial write. */
  readonly tid: number;
  readonly kind: "R" | "W" | "F";
  readonly loc: string;
  readonly fence: FenceKind | undefined;
  readonly atomic: boolean;
  /** The instruction's index in its thread (-1 for an initial write). */
  readonly instr: number;
  /** W: the value written (an initial write: the initial value); R: its variable. */
  readonly value: Expr;
  readonly src: SourceRef | undefined;
}

export interface StructureOptions {
  /** "instructions" (herd7): po between instructions; "events": also inside one, in event order. */
  readonly po: "instructions" | "events";
}

export class Structure {
  readonly events: Event[] = [];
  readonly n: number;
  /** Locations accessed, in order of first access; each has one initial write. */
  readonly locs: string[];
  readonly R: EventSet;
  readonly W: EventSet;
  readonly M: EventSet;
  readonly IW: EventSet;
  /** herd's A (atomic accesses): ll, successful sc, XCHG and LOCKed accesses. */
  readonly A: EventSet;
  readonly po: Relation;
  readonly loc: Relation;
  readonly int: Relation;
  readonly ext: Relation;
  readonly rmw: Relation;
  readonly addr: Relation;
  readonly data: Relation;
  readonly ctrl: Relation;
  /** Read before write inside one instruction: such a read cannot read that write (herd's optace). */
  readonly iico: Relation;
  readonly poLoc: Relation;
  /** The event of each variable (see varId). */
  readonly varEvent: Map<number, number> = new Map();
  private readonly fences = new Map<FenceKind, Relation>();

  constructor(
    arch: Arch,
    readonly paths: readonly ThreadPath[],
    init: ReadonlyMap<string, Value>,
    options: StructureOptions,
  ) {
    const locs: string[] = [];
    for (const p of paths)
      for (const e of p.events) if (e.kind !== "F" && !locs.includes(e.loc)) locs.push(e.loc);
    this.locs = locs;
    for (const loc of locs) {
      this.events.push({
        id: this.events.length,
        tid: -1,
        kind: "W",
        loc,
        fence: undefined,
        atomic: false,
        instr: -1,
        value: init.get(loc) ?? 0,
        src: undefined,
      });
    }
    const base: number[] = [];
    for (const p of paths) {
      base.push(this.events.length);
      for (const e of p.events) {
        const id = this.events.length;
        if (e.kind === "R" && typeof e.value === "object" && e.value.kind === "var")
          this.varEvent.set(e.value.id, id);
        this.events.push({
          id,
          tid: p.tid,
          kind: e.kind,
          loc: e.loc,
          fence: e.fence,
          atomic: e.atomic,
          instr: e.instr,
          value: e.value,
          src: e.src,
        });
      }
    }
    this.n = this.events.length;
    const n = this.n;
    const ev = this.events;
    const set = (p: (e: Event) => boolean) =>
      EventSet.of(
        n,
        ev.filter(p).map((e) => e.id),
      );
    this.R = set((e) => e.kind === "R");
    this.W = set((e) => e.kind === "W");
    this.M = set((e) => e.kind !== "F");
    this.IW = set((e) => e.tid < 0);
    this.A = set((e) => e.atomic);

    const pairs = (p: (a: Event, b: Event) => boolean) => {
      const r = Relation.empty(n, true);
      for (const a of ev) for (const b of ev) if (p(a, b)) r.add(a.id, b.id);
      return r;
    };
    // Events of one path are listed in program order, an instruction's read before its write.
    const before = (a: Event, b: Event) =>
      a.tid >= 0 &&
      a.tid === b.tid &&
      a.id < b.id &&
      (options.po === "events" || a.instr < b.instr);
    this.po = pairs(before);
    this.loc = pairs((a, b) => a.kind !== "F" && b.kind !== "F" && a.loc === b.loc);
    this.int = pairs((a, b) => a.tid >= 0 && a.tid === b.tid);
    this.ext = pairs((a, b) => a.tid !== b.tid);
    this.poLoc = this.po.inter(this.loc);

    const deps = (field: "addr" | "data" | "ctrl") => {
      const r = Relation.empty(n, true);
      paths.forEach((p, t) => {
        p.events.forEach((e, k) => {
          if (e.kind === "F") return;
          for (const d of e[field]) r.add(base[t]! + d, base[t]! + k);
        });
      });
      return r;
    };
    this.addr = deps("addr");
    this.data = deps("data");
    this.ctrl = deps("ctrl");
    this.iico = Relation.empty(n, true);
    paths.forEach((p, t) => {
      p.events.forEach((e, k) => {
        if (e.sameInstrRead >= 0) this.iico.add(base[t]! + e.sameInstrRead, base[t]! + k);
      });
    });
    this.rmw = this.pairAtomics(arch);
  }

  /**
   * herd's atomic pairs (mem.ml, make_atomic_load_store): an atomic read and
   * a later atomic write of one location and thread with no atomic access
   * between them; on X86 only the two halves of one instruction.
   */
  private pairAtomics(arch: Arch): Relation {
    const r = Relation.empty(this.n, true);
    const atomics = this.events.filter((e) => e.atomic);
    for (const a of atomics) {
      if (a.kind !== "R") continue;
      for (const b of atomics) {
        if (b.kind !== "W" || b.tid !== a.tid || b.loc !== a.loc || b.id <= a.id) continue;
        if (arch === "X86" && b.instr !== a.instr) continue;
        if (atomics.some((c) => c.tid === a.tid && c.id > a.id && c.id < b.id)) continue;
        r.add(a.id, b.id);
      }
    }
    return r;
  }

  /** cat's fencerel(B) = (po & (_ * B)); po: pairs with a fence of kind B between them. */
  fencerel(kind: FenceKind): Relation {
    let r = this.fences.get(kind);
    if (!r) {
      const f = EventSet.of(
        this.n,
        this.events.filter((e) => e.fence === kind).map((e) => e.id),
      );
      const all = EventSet.of(
        this.n,
        this.events.map((e) => e.id),
      );
      r = this.po.inter(all.cross(f)).seq(this.po);
      this.fences.set(kind, r);
    }
    return r;
  }
}

/** A candidate execution: a structure with reads-from and coherence order (possibly for some locations only). */
export class Execution {
  private derived: Partial<
    Record<"rfe" | "rfi" | "coe" | "coi" | "fre" | "fri" | "com", Relation>
  > = {};

  constructor(
    readonly s: Structure,
    readonly rf: Relation,
    readonly co: Relation,
    readonly fr: Relation,
  ) {}

  private memo(name: keyof Execution["derived"], f: () => Relation): Relation {
    this.derived[name] ??= f();
    return this.derived[name];
  }

  get R() {
    return this.s.R;
  }
  get W() {
    return this.s.W;
  }
  get M() {
    return this.s.M;
  }
  get A() {
    return this.s.A;
  }
  get po() {
    return this.s.po;
  }
  get poLoc() {
    return this.s.poLoc;
  }
  get rmw() {
    return this.s.rmw;
  }
  get rfe() {
    return this.memo("rfe", () => this.rf.inter(this.s.ext));
  }
  get rfi() {
    return this.memo("rfi", () => this.rf.inter(this.s.int));
  }
  get coe() {
    return this.memo("coe", () => this.co.inter(this.s.ext));
  }
  get coi() {
    return this.memo("coi", () => this.co.inter(this.s.int));
  }
  get fre() {
    return this.memo("fre", () => this.fr.inter(this.s.ext));
  }
  get fri() {
    return this.memo("fri", () => this.fr.inter(this.s.int));
  }
  /** com = rf | fr | co */
  get com() {
    return this.memo("com", () => this.rf.union(this.fr, this.co));
  }
  fencerel(kind: FenceKind): Relation {
    return this.s.fencerel(kind);
  }
}
