/*
 * Runs each thread on its own, before any reads-from is chosen, into the
 * events it may perform: herd's per-thread semantics (herd/MIPSSem.ml,
 * herd/X86Sem.ml). A load's value is a variable; a branch whose condition
 * depends on one, an `sc` (which may always fail, as in herd), and an address
 * computed from a loaded value split the thread into several paths, each with
 * the constraints its variables must meet. Registers carry the reads they
 * depend on, which gives the addr, data and ctrl dependencies.
 *
 * An address computed from a loaded value needs the values that location can
 * hold: the initial one and those its stores may write. Those depend on the
 * paths in turn, so they are found by rounds: a chain of values passes each
 * store at most once, so a round per store reaches every one.
 */
import { LitmusSyntaxError } from "./errors.js";
import { type Expr, evalExpr, isConst, mkOp, varsOf } from "./expr.js";
import type {
  Address,
  FenceKind,
  Instr,
  LitmusTest,
  Operand,
  SourceRef,
  Thread,
} from "./program.js";
import type { Value } from "./value.js";

export interface ThreadEvent {
  readonly kind: "R" | "W" | "F";
  /** The instruction's index in its thread: program order is between instructions. */
  readonly instr: number;
  /** R and W: the location; F: "". */
  readonly loc: string;
  readonly fence: FenceKind | undefined;
  /** MIPS ll and successful sc, X86 XCHG and LOCK: herd's atomic accesses. */
  readonly atomic: boolean;
  /** W: the value written; R: the variable standing for the value read. */
  readonly value: Expr;
  /** Reads of this path (by index in `events`) feeding the address, the value, a branch before. */
  readonly addr: readonly number[];
  readonly data: readonly number[];
  readonly ctrl: readonly number[];
  /** For the write of an X86 read-modify-write, the index of its read; else -1. */
  readonly sameInstrRead: number;
  readonly src: SourceRef;
}

/** A condition on loaded values: `expr` is non-zero (holds) or zero (!holds). */
export interface Constraint {
  readonly expr: Expr;
  readonly holds: boolean;
}

export interface ThreadPath {
  readonly tid: number;
  readonly events: readonly ThreadEvent[];
  /** Registers the thread wrote, as expressions over the variables. */
  readonly regs: ReadonlyMap<string, Expr>;
  readonly constraints: readonly Constraint[];
}

/** Variables are numbered per thread and event: tid in the high bits. */
export const varId = (tid: number, event: number) => (tid << 16) | event;
export const varThread = (id: number) => id >>> 16;
export const varEvent = (id: number) => id & 0xffff;

interface Reg {
  readonly e: Expr;
  readonly deps: readonly number[];
}

interface State {
  regs: Map<string, Reg>;
  events: ThreadEvent[];
  constraints: Constraint[];
  ctrl: number[];
  /** The address reserved by the last MIPS ll; 0 when none (herd's RESADDR). */
  reserved: Value;
}

const ZERO: Reg = { e: 0, deps: [] };
const union = (a: readonly number[], b: readonly number[]) =>
  [...new Set([...a, ...b])].sort((x, y) => x - y);

type Domain = (loc: string) => readonly Value[];

class ThreadRunner {
  readonly paths: ThreadPath[] = [];
  /** Set when an address depended on a loaded value, so the domain was used. */
  usedDomain = false;

  constructor(
    private readonly file: string,
    private readonly thread: Thread,
    private readonly initRegs: ReadonlyMap<string, Value>,
    private readonly domain: Domain,
  ) {}

  private fail(src: SourceRef, reason: string): LitmusSyntaxError {
    return new LitmusSyntaxError(
      this.file,
      src.line,
      src.column,
      `${reason} (in \`${src.text}\`, P${this.thread.id})`,
    );
  }

  private read(s: State, o: Operand): Reg {
    if ("imm" in o) return { e: o.imm, deps: [] };
    if (o.reg === "$0") return ZERO; // MIPS: hardwired zero
    const r = s.regs.get(o.reg);
    if (r) return r;
    const v = this.initRegs.get(o.reg);
    return v === undefined ? ZERO : { e: v, deps: [] };
  }

  private write(s: State, reg: string, r: Reg): void {
    if (reg !== "$0") s.regs.set(reg, r);
  }

  private op(src: SourceRef, op: Parameters<typeof mkOp>[0], a: Expr, b: Expr): Expr {
    const e = mkOp(op, a, b);
    if (e === undefined)
      throw this.fail(
        src,
        `cannot compute ${op} of ${String(a)} and ${String(b)}: arithmetic on an address`,
      );
    return e;
  }

  private fork(s: State): State {
    return {
      regs: new Map(s.regs),
      events: [...s.events],
      constraints: [...s.constraints],
      ctrl: [...s.ctrl],
      reserved: s.reserved,
    };
  }

  /** The locations an address may be, each with the state that assumes it. */
  private locate(
    s: State,
    a: Address,
    src: SourceRef,
  ): { loc: string; s: State; deps: readonly number[] }[] {
    const base = this.read(s, a.base);
    const e = this.op(src, "add", base.e, a.offset);
    const bad = (v: Value) =>
      this.fail(
        src,
        typeof v === "number"
          ? `undeclared location: the address is ${v}, not a location (initialise the address register with a location, e.g. ${this.thread.id}:${"reg" in a.base ? a.base.reg : "r"}=x)`
          : `the address ${v}+${a.offset} is not a location: offsets from a location are not supported`,
      );
    if (isConst(e)) {
      if (typeof e !== "string") throw bad(e);
      return [{ loc: e, s, deps: base.deps }];
    }
    this.usedDomain = true;
    const locs = new Set<string>();
    for (const v of valuesOf(e, (id) => this.domain(this.varLoc(s, id)))) {
      if (typeof v !== "string") throw bad(v);
      locs.add(v);
    }
    return [...locs].sort().map((loc) => {
      const t = this.fork(s);
      t.constraints.push({ expr: this.op(src, "eq", e, loc), holds: true });
      return { loc, s: t, deps: base.deps };
    });
  }

  private varLoc(s: State, id: number): string {
    return s.events[varEvent(id)]!.loc;
  }

  private event(
    s: State,
    e: Omit<ThreadEvent, "ctrl" | "sameInstrRead"> & { sameInstrRead?: number },
  ): number {
    s.events.push({ sameInstrRead: -1, ...e, ctrl: s.ctrl });
    return s.events.length - 1;
  }

  private load(
    s: State,
    pc: number,
    loc: string,
    addrDeps: readonly number[],
    atomic: boolean,
    src: SourceRef,
  ): Reg {
    const k = s.events.length;
    this.event(s, {
      kind: "R",
      instr: pc,
      loc,
      fence: undefined,
      atomic,
      value: { kind: "var", id: varId(this.thread.id, k) },
      addr: addrDeps,
      data: [],
      src,
    });
    return { e: { kind: "var", id: varId(this.thread.id, k) }, deps: [k] };
  }

  run(pc: number, s: State): void {
    const code = this.thread.code;
    while (pc < code.length) {
      const i: Instr = code[pc]!;
      switch (i.kind) {
        case "op": {
          const a = this.read(s, i.a);
          const b = this.read(s, i.b);
          this.write(s, i.dst, { e: this.op(i.src, i.op, a.e, b.e), deps: union(a.deps, b.deps) });
          break;
        }
        case "flags": {
          const a = this.read(s, i.a);
          const b = this.read(s, i.b);
          const deps = union(a.deps, b.deps);
          this.write(s, "ZF", { e: this.op(i.src, "eq", a.e, b.e), deps });
          this.write(s, "SF", { e: this.op(i.src, "gt", a.e, b.e), deps });
          this.write(s, "CF", ZERO);
          break;
        }
        case "fence":
          this.event(s, {
            kind: "F",
            instr: pc,
            loc: "",
            fence: i.fence,
            atomic: false,
            value: 0,
            addr: [],
            data: [],
            src: i.src,
          });
          break;
        case "load":
        case "store":
        case "sc":
        case "rmw":
          this.access(pc, s, i);
          return;
        case "branch":
        case "cmovc":
          this.choose(pc, s, i);
          return;
      }
      pc++;
    }
    const regs = new Map<string, Expr>();
    for (const [r, v] of s.regs) regs.set(r, v.e);
    this.paths.push({ tid: this.thread.id, events: s.events, regs, constraints: s.constraints });
  }

  /** A memory access: one path per location its address may be. */
  private access(
    pc: number,
    s0: State,
    i: Extract<Instr, { kind: "load" | "store" | "sc" | "rmw" }>,
  ): void {
    for (const { loc, s, deps } of this.locate(s0, i.addr, i.src)) {
      switch (i.kind) {
        case "load":
          this.write(s, i.dst, this.load(s, pc, loc, deps, i.reserve, i.src));
          if (i.reserve) s.reserved = loc;
          this.run(pc + 1, s);
          break;
        case "store": {
          const v = this.read(s, i.value);
          this.event(s, {
            kind: "W",
            instr: pc,
            loc,
            fence: undefined,
            atomic: false,
            value: v.e,
            addr: deps,
            data: v.deps,
            src: i.src,
          });
          this.run(pc + 1, s);
          break;
        }
        case "sc": {
          // herd: an sc may always fail; it can succeed only on the reserved address.
          const v = this.read(s, { reg: i.reg });
          const reserved = s.reserved === loc;
          s.reserved = 0;
          if (reserved) {
            const ok = this.fork(s);
            this.event(ok, {
              kind: "W",
              instr: pc,
              loc,
              fence: undefined,
              atomic: true,
              value: v.e,
              addr: deps,
              data: v.deps,
              src: i.src,
            });
            this.write(ok, i.reg, { e: 1, deps: [] });
            this.run(pc + 1, ok);
          }
          this.write(s, i.reg, ZERO);
          this.run(pc + 1, s);
          break;
        }
        case "rmw": {
          const operand = this.read(s, i.operand);
          const r = this.load(s, pc, loc, deps, i.locked, i.src);
          const k = s.events.length - 1;
          const written: Reg =
            i.op === "xchg"
              ? operand
              : { e: this.op(i.src, i.op, r.e, operand.e), deps: union(r.deps, operand.deps) };
          this.event(s, {
            kind: "W",
            instr: pc,
            loc,
            fence: undefined,
            atomic: i.locked,
            value: written.e,
            addr: deps,
            data: written.deps,
            sameInstrRead: k,
            src: i.src,
          });
          if (i.op === "xchg" && "reg" in i.operand) this.write(s, i.operand.reg, r);
          else {
            this.write(s, "ZF", { e: this.op(i.src, "eq", written.e, 0), deps: written.deps });
            this.write(s, "SF", { e: this.op(i.src, "gt", written.e, 0), deps: written.deps });
            this.write(s, "CF", ZERO);
          }
          this.run(pc + 1, s);
          break;
        }
      }
    }
  }

  /** A branch or CMOVC: decided when its condition is known, else both ways with a constraint. */
  private choose(pc: number, s: State, i: Extract<Instr, { kind: "branch" | "cmovc" }>): void {
    let cond: Reg;
    let when: boolean;
    if (i.kind === "cmovc") {
      cond = this.read(s, { reg: "CF" });
      when = true;
    } else {
      const a = this.read(s, i.a);
      const b = this.read(s, i.b);
      const deps = union(a.deps, b.deps);
      const test = {
        always: () => ({ e: 1, when: true }),
        eq: () => ({ e: this.op(i.src, "eq", a.e, b.e), when: true }),
        ne: () => ({ e: this.op(i.src, "ne", a.e, b.e), when: true }),
        lez: () => ({ e: this.op(i.src, "gt", a.e, 0), when: false }),
        gtz: () => ({ e: this.op(i.src, "gt", a.e, 0), when: true }),
        ltz: () => ({ e: this.op(i.src, "slt", a.e, 0), when: true }),
        gez: () => ({ e: this.op(i.src, "slt", a.e, 0), when: false }),
      }[i.test]();
      cond = { e: test.e, deps };
      when = test.when;
      // Everything after a conditional branch depends on what decided it (herd's ctrl).
      s.ctrl = union(s.ctrl, deps);
    }
    const outcomes = isConst(cond.e) ? [(cond.e !== 0) === when] : [true, false];
    for (const taken of outcomes) {
      const t = outcomes.length > 1 ? this.fork(s) : s;
      if (outcomes.length > 1) t.constraints.push({ expr: cond.e, holds: taken === when });
      if (i.kind === "branch") {
        this.run(taken ? i.target : pc + 1, t);
      } else if (!taken) {
        this.run(pc + 1, t);
      } else if ("reg" in i.from) {
        this.write(t, i.dst, this.read(t, i.from));
        this.run(pc + 1, t);
      } else {
        for (const { loc, s: u, deps } of this.locate(t, i.from.addr, i.src)) {
          this.write(u, i.dst, this.load(u, pc, loc, deps, false, i.src));
          this.run(pc + 1, u);
        }
      }
    }
  }
}

/** Every value `e` takes when each variable ranges over its domain. */
function valuesOf(e: Expr, domainOf: (id: number) => readonly Value[]): Value[] {
  const vars = varsOf(e);
  const out = new Set<Value>();
  const assign = new Map<number, Value>();
  const walk = (k: number) => {
    if (k === vars.length) {
      const v = evalExpr(e, (id) => assign.get(id));
      if (v !== undefined) out.add(v);
      return;
    }
    for (const v of domainOf(vars[k]!)) {
      assign.set(vars[k]!, v);
      walk(k + 1);
    }
  };
  walk(0);
  return [...out];
}

function runThreads(
  test: LitmusTest,
  domain: Domain,
): { paths: ThreadPath[][]; usedDomain: boolean } {
  let usedDomain = false;
  const paths = test.threads.map((t) => {
    const initRegs = new Map<string, Value>();
    for (const e of test.init)
      if (e.loc.kind === "reg" && e.loc.tid === t.id) initRegs.set(e.loc.reg, e.value);
    const runner = new ThreadRunner(test.file, t, initRegs, domain);
    runner.run(0, { regs: new Map(), events: [], constraints: [], ctrl: [], reserved: 0 });
    usedDomain ||= runner.usedDomain;
    return runner.paths;
  });
  return { paths, usedDomain };
}

/** The initial value of every memory location the test initialises. */
export function initialMemory(test: LitmusTest): Map<string, Value> {
  const m = new Map<string, Value>();
  for (const e of test.init) if (e.loc.kind === "mem") m.set(e.loc.name, e.value);
  return m;
}

/** Every path of every thread (indexed by thread). */
export function threadPaths(test: LitmusTest): ThreadPath[][] {
  const init = initialMemory(test);
  const domain = new Map<string, Value[]>();
  const domainOf: Domain = (loc) => domain.get(loc) ?? [init.get(loc) ?? 0];
  const accesses = test.threads.reduce((n, t) => n + t.code.filter((i) => "addr" in i).length, 0);
  for (let round = 0; ; round++) {
    const { paths, usedDomain } = runThreads(test, domainOf);
    if (!usedDomain || round > accesses) return paths;
    const next = new Map<string, Set<Value>>();
    const add = (loc: string, v: Value) => {
      if (!next.has(loc)) next.set(loc, new Set(domainOf(loc)));
      next.get(loc)!.add(v);
    };
    for (const thread of paths) {
      for (const p of thread) {
        for (const e of p.events) {
          if (e.kind !== "W") continue;
          for (const v of valuesOf(e.value, (id) => domainOf(p.events[varEvent(id)]!.loc)))
            add(e.loc, v);
        }
      }
    }
    let grew = false;
    for (const [loc, vs] of next) {
      if (vs.size !== domainOf(loc).length) grew = true;
      domain.set(loc, [...vs]);
    }
    if (!grew) return paths;
  }
}
