/*
 * The initial state and the constraints of a litmus test, in the syntax of
 * herd's lib/stateParser.mly: `{ x=1; 0:EAX=2; %x0=x; int y; }` and
 * `locations [x; 0:EAX;] exists (0:EAX=0 /\ [x]=1)`. Propositions bind as in
 * herd: `~` tightest, then `=>`, then `/\`, then `\/`.
 */
import type { Condition, Location, Prop, Quantifier } from "../program.js";
import type { Value } from "../value.js";
import type { ArchSyntax } from "./arch.js";
import { type SourceFile, type Token, TokenStream, tokenize } from "./source.js";
import type { Span } from "./split.js";

export interface StateContext {
  readonly src: SourceFile;
  readonly syntax: ArchSyntax;
  readonly threads: number;
}

/** A location as written, with where it was written (to report an undeclared name). */
export interface PlacedLocation {
  readonly loc: Location | { readonly kind: "sreg"; readonly reg: string };
  readonly offset: number;
}

export interface InitEntry {
  readonly at: PlacedLocation;
  readonly value: Value;
  /** Where the value was written, when it names a location. */
  readonly valueOffset: number;
}

const isProc = (t: Token | undefined) =>
  t !== undefined && (t.kind === "num" || /^P\d+$/.test(t.text));

class StateReader {
  constructor(
    private readonly ctx: StateContext,
    readonly ts: TokenStream,
    private readonly what: string,
  ) {}

  /** "bad condition: ..." or "bad initial state: ...". */
  fail(reason: string, at?: Token): Error {
    return this.ts.error(`bad ${this.what}: ${reason}`, at ?? this.ts.peek());
  }

  /** Register `t` of the thread `proc` names (`0` or `P0`). */
  register(proc: Token, t: Token): Location {
    const tid = Number(proc.text.replace(/^P/, ""));
    if (!(Number.isInteger(tid) && tid >= 0 && tid < this.ctx.threads)) {
      throw this.fail(
        `thread ${proc.text} does not exist; the test has ${this.ctx.threads} (${this.ctx.threads === 1 ? "P0" : `P0-P${this.ctx.threads - 1}`})`,
        proc,
      );
    }
    const reg = this.ctx.syntax.register(t.text);
    if (reg === undefined) {
      throw this.ts.error(
        `unknown register \`${t.text}\` in the ${this.what}; ${this.ctx.syntax.registerHint}`,
        t,
      );
    }
    return { kind: "reg", tid, reg };
  }

  /** `0:EAX`, `P1:$2`, `x`, `[x]`, or (init only) a symbolic register `%x0`. */
  location(allowSymbolic: boolean): PlacedLocation {
    const t = this.ts.peek();
    const offset = this.ts.offset();
    if (isProc(t) && this.ts.peek(1)?.text === ":") {
      this.ts.next();
      this.ts.next();
      const r = this.ts.next();
      if (r?.kind !== "name")
        throw this.fail(`expected a register after \`${t!.text}:\`, ${this.ts.describe(r)}`, r);
      return { loc: this.register(t!, r), offset };
    }
    if (this.ts.accept("[")) {
      const n = this.ts.next();
      if (n?.kind !== "name")
        throw this.fail(`expected a location name inside [ ], ${this.ts.describe(n)}`, n);
      if (!this.ts.accept("]"))
        throw this.fail(`expected \`]\`, ${this.ts.describe(this.ts.peek())}`);
      return { loc: { kind: "mem", name: n.text }, offset };
    }
    if (t?.kind === "name") {
      this.ts.next();
      if (t.text.startsWith("%")) {
        if (!allowSymbolic)
          throw this.fail(`name the thread of \`${t.text}\`, e.g. 0:${t.text}`, t);
        return { loc: { kind: "sreg", reg: t.text }, offset };
      }
      if (this.ctx.syntax.register(t.text) !== undefined) {
        throw this.fail(`\`${t.text}\` is a register: name its thread, e.g. 0:${t.text}`, t);
      }
      return { loc: { kind: "mem", name: t.text }, offset };
    }
    throw this.fail(
      `expected a register (e.g. 0:${this.ctx.syntax.arch === "X86" ? "EAX" : "$2"}) or a location, ${this.ts.describe(t)}`,
    );
  }

  /** An integer, or a location name standing for its address. */
  value(): { value: Value; offset: number } {
    const offset = this.ts.offset();
    const t = this.ts.next();
    if (t?.kind === "num") return { value: this.ts.int32(t), offset };
    if (t?.kind === "name" && !t.text.startsWith("%")) return { value: t.text, offset };
    throw this.fail(`expected a value (an integer or a location), ${this.ts.describe(t)}`, t);
  }
}

export function parseInit(ctx: StateContext, span: Span): InitEntry[] {
  const ts = new TokenStream(ctx.src, tokenize(ctx.src, span.start, span.end), span.end);
  const r = new StateReader(ctx, ts, "initial state");
  const out: InitEntry[] = [];
  while (!ts.atEnd()) {
    if (ts.accept(";")) continue;
    // `int x = 1`, `uint64_t 0:X0`, `int *p = &x`: a type before the location, ignored.
    const t = ts.peek()!;
    const t1 = ts.peek(1);
    if (
      t.kind === "name" &&
      !t.text.startsWith("%") &&
      !/^P\d+$/.test(t.text) &&
      (t1?.kind === "name" || t1?.kind === "num" || t1?.text === "*" || t1?.text === "[")
    ) {
      ts.next();
    }
    ts.accept("*");
    const at = r.location(true);
    if (ts.accept("=")) {
      ts.accept("&");
      const v = r.value();
      out.push({ at, value: v.value, valueOffset: v.offset });
    } else {
      out.push({ at, value: 0, valueOffset: at.offset });
    }
    const sep = ts.peek();
    if (sep && !ts.accept(";")) throw r.fail(`expected \`;\` between entries, ${ts.describe(sep)}`);
  }
  return out;
}

export interface Constraints {
  readonly locations: readonly PlacedLocation[];
  readonly condition: Condition;
  /** Every memory location and location-valued constant the condition names. */
  readonly names: readonly { readonly name: string; readonly offset: number }[];
}

/**
 * How deep parentheses, `~` and `=>` may nest in a condition. herd's tests
 * nest a few levels; the limit keeps the reader, the checker and the printer
 * (all recursive over the proposition) far from the end of the stack.
 */
const MAX_NESTING = 200;

class PropReader {
  readonly names: { name: string; offset: number }[] = [];
  private depth = 0;

  constructor(private readonly r: StateReader) {}

  private get ts() {
    return this.r.ts;
  }

  private bad(reason: string, at?: Token): Error {
    return this.r.fail(reason, at);
  }

  or(): Prop {
    const ps = [this.and()];
    while (this.ts.accept("\\/")) ps.push(this.and());
    return ps.length === 1 ? ps[0]! : { kind: "or", ps };
  }

  private and(): Prop {
    const ps = [this.implies()];
    while (this.ts.accept("/\\")) ps.push(this.implies());
    return ps.length === 1 ? ps[0]! : { kind: "and", ps };
  }

  /** Reads what `read` reads one level deeper, refusing to go past MAX_NESTING. */
  private nested(at: Token, read: () => Prop): Prop {
    if (++this.depth > MAX_NESTING) {
      throw this.bad(
        `the proposition nests more than ${MAX_NESTING} deep (parentheses, \`~\`, \`=>\`); write it flatter`,
        at,
      );
    }
    const p = read();
    this.depth--;
    return p;
  }

  private implies(): Prop {
    const p = this.unary();
    const arrow = this.ts.peek();
    if (!this.ts.accept("=>")) return p;
    return { kind: "implies", p, q: this.nested(arrow!, () => this.implies()) };
  }

  private unary(): Prop {
    const t = this.ts.peek();
    if (t === undefined) throw this.bad("the proposition ends too early");
    if (this.ts.accept("~") || (t.text === "not" && this.ts.next()))
      return { kind: "not", p: this.nested(t, () => this.unary()) };
    if (this.ts.accept("(")) {
      const p = this.nested(t, () => this.or());
      if (!this.ts.accept(")"))
        throw this.bad(
          `expected \`)\` closing the parenthesis, ${this.ts.describe(this.ts.peek())}`,
        );
      return p;
    }
    if (t.text === "true" && this.ts.next()) return { kind: "and", ps: [] };
    if (t.text === "false" && this.ts.next()) return { kind: "or", ps: [] };
    return this.atom();
  }

  private atom(): Prop {
    const placed = this.r.location(false);
    const loc = placed.loc as Location;
    if (loc.kind === "mem") this.names.push({ name: loc.name, offset: placed.offset });
    const op = this.ts.next();
    if (op?.text !== "=" && op?.text !== "==" && op?.text !== "!=" && op?.text !== "<>") {
      throw this.bad(`expected \`=\` or \`!=\` after the location, ${this.ts.describe(op)}`, op);
    }
    if (this.ts.peek()?.text === "[" || (isProc(this.ts.peek()) && this.ts.peek(1)?.text === ":")) {
      throw this.bad("comparing two locations is not supported; compare each with a value");
    }
    const v = this.r.value();
    if (typeof v.value === "string") this.names.push({ name: v.value, offset: v.offset });
    const atom: Prop = { kind: "atom", loc, value: v.value };
    return op.text === "=" || op.text === "==" ? atom : { kind: "not", p: atom };
  }
}

function quantifier(ts: TokenStream): Quantifier | "paren" | undefined {
  const t = ts.peek();
  if (t?.text === "exists" || t?.text === "final") return ts.next() && "exists";
  if (t?.text === "forall") return ts.next() && "forall";
  if ((t?.text === "~" || t?.text === "not") && ts.peek(1)?.text === "exists") {
    ts.next();
    ts.next();
    return "~exists";
  }
  if (t?.text === "(") return "paren";
  return undefined;
}

export function parseConstraints(ctx: StateContext, span: Span): Constraints {
  const ts = new TokenStream(ctx.src, tokenize(ctx.src, span.start, span.end), span.end);
  const r = new StateReader(ctx, ts, "condition");
  const locations: PlacedLocation[] = [];
  if (ts.peek()?.text === "locations") {
    ts.next();
    if (!ts.accept("["))
      throw r.fail(`expected \`[\` after \`locations\`, ${ts.describe(ts.peek())}`);
    while (!ts.accept("]")) {
      if (ts.atEnd()) throw r.fail("`locations [` is never closed by `]`");
      if (ts.accept(";")) continue;
      locations.push(r.location(false));
    }
  }
  const head = ts.peek();
  if (head === undefined) {
    throw ts.error(
      "bad condition: the test has no final condition; end it with e.g. `exists (0:EAX=1)`",
    );
  }
  if (
    head.text === "filter" ||
    head.text === "observed" ||
    head.text === "Observed" ||
    head.text === "cases"
  ) {
    throw ts.error(
      `bad condition: \`${head.text}\` is not supported; use exists, ~exists or forall`,
      head,
    );
  }
  const q = quantifier(ts);
  if (q === undefined) {
    throw ts.error(
      `bad condition: expected \`exists\`, \`~exists\` or \`forall\`, ${ts.describe(head)}`,
      head,
    );
  }
  const props = new PropReader(r);
  const prop = props.or();
  ts.accept(";");
  if (!ts.atEnd()) {
    const t = ts.peek();
    throw ts.error(
      t?.text === "with"
        ? "bad condition: `with` clauses are not supported"
        : `bad condition: unexpected \`${t?.text}\` after the proposition (join propositions with /\\ or \\/)`,
      t,
    );
  }
  return {
    locations,
    condition: { quantifier: q === "paren" ? "exists" : q, prop },
    names: props.names,
  };
}
