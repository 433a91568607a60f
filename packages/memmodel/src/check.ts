/*
 * Runs a litmus test under a model, as herd7 does: every candidate execution
 * of every combination of thread paths, kept when the model allows it and
 * its values can be computed (herd's solver: each read gets the value of the
 * write it reads from, a value may not depend on itself, and the path's
 * constraints must hold). Each allowed execution counts once, as positive
 * when its final state satisfies the condition's proposition, and adds its
 * final state (over the observed locations) to the set of states.
 *
 * When the model is not sc, the same pass finds what sc says of the
 * positive executions: sc's axioms imply every other model's (they are
 * checks of relations contained in po | com), so the executions sc allows are
 * among these. If sc allows none, the outcome is one sc forbids and the first
 * positive execution is kept as a witness, with the cycle sc rejects.
 *
 * A check spends from a budget (budget.ts) and stops with a CheckLimitError
 * when it runs out, rather than run for hours or out of memory.
 */
import {
  CheckBudget,
  type CheckLimits,
  type CheckProgress,
  checkLimits,
  DEFAULT_LIMITS,
} from "./budget.js";
import { forEachExecution, type LocationChoice } from "./enumerate.js";
import { type Execution, Structure, type StructureOptions } from "./execution.js";
import { evalExpr } from "./expr.js";
import { syntaxOf } from "./litmus/parse.js";
import { type Axiom, type Model, violatedAxiom } from "./model.js";
import { sc } from "./models/sc.js";
import { initialMemory, type ThreadPath, threadPaths } from "./paths.js";
import type { LitmusTest, Location, Prop } from "./program.js";
import { compareValues, type Value } from "./value.js";

export interface Witness {
  readonly execution: Execution;
  /** Each event's value: read or written (undefined for a fence). */
  readonly values: readonly (Value | undefined)[];
  /** The sc axiom it violates, and a cycle of that axiom's relation (event ids). */
  readonly axiom: Axiom;
  readonly cycle: readonly number[];
}

export interface CheckResult {
  readonly test: LitmusTest;
  readonly model: Model;
  /** The locations a final state shows, in herd's order. */
  readonly observed: readonly Location[];
  /** Distinct final states, values in the order of `observed`, sorted as herd sorts them. */
  readonly states: readonly (readonly Value[])[];
  /** Allowed executions whose final state satisfies the proposition, and the others. */
  readonly positive: number;
  readonly negative: number;
  /** herd's Ok: exists and some positive, ~exists and none, forall and no negative. */
  readonly ok: boolean;
  /** An execution with a positive final state that the model allows and sc forbids. */
  readonly witness: Witness | undefined;
}

export interface CheckOptions extends StructureOptions {
  /** "condition" (herd): the test's observed locations; "all": every register and location. */
  readonly observe: "condition" | "all";
  /** What the check may spend before it stops with a CheckLimitError (budget.ts). */
  readonly limits: Partial<CheckLimits>;
  /** Called every `progressMs` of a long check with how far it got. */
  readonly onProgress?: (p: CheckProgress) => void;
  readonly progressMs: number;
}

const DEFAULTS: CheckOptions = {
  po: "instructions",
  observe: "condition",
  limits: DEFAULT_LIMITS,
  progressMs: 1000,
};

/** herd's order of locations in a final state: registers by thread then register, then memory by name. */
function sortLocations(test: LitmusTest, locs: readonly Location[]): Location[] {
  const rank = syntaxOf(test.arch).registerRank;
  const key = (l: Location): readonly [number, number, number, string] =>
    l.kind === "reg" ? [0, l.tid, rank(l.reg), l.reg] : [1, 0, 0, l.name];
  return [...locs].sort((a, b) => {
    const [a0, a1, a2, a3] = key(a);
    const [b0, b1, b2, b3] = key(b);
    return a0 - b0 || a1 - b1 || a2 - b2 || (a3 < b3 ? -1 : a3 > b3 ? 1 : 0);
  });
}

/** Every register a thread names (but the reader's internal ones) and every memory location. */
function everyLocation(test: LitmusTest, paths: ThreadPath[][]): Location[] {
  const out: Location[] = test.locations.map((name) => ({ kind: "mem", name }));
  for (const t of test.threads) {
    const regs = new Set<string>();
    for (const p of paths[t.id]!)
      for (const r of p.regs.keys()) if (!r.startsWith("#")) regs.add(r);
    for (const e of test.init) if (e.loc.kind === "reg" && e.loc.tid === t.id) regs.add(e.loc.reg);
    for (const reg of regs) out.push({ kind: "reg", tid: t.id, reg });
  }
  return out;
}

function holds(p: Prop, valueAt: (l: Location) => Value): boolean {
  switch (p.kind) {
    case "atom":
      return valueAt(p.loc) === p.value;
    case "not":
      return !holds(p.p, valueAt);
    case "and":
      return p.ps.every((q) => holds(q, valueAt));
    case "or":
      return p.ps.some((q) => holds(q, valueAt));
    case "implies":
      return !holds(p.p, valueAt) || holds(p.q, valueAt);
  }
}

/**
 * The value of every read, following rf to the write read from; undefined when
 * some value depends on itself (herd leaves such candidates unsolved). One
 * solver serves every candidate of a structure, reusing its arrays.
 */
class Solver {
  private readonly source: number[];
  private readonly values: (Value | undefined)[];
  /** 0 unknown, 1 being computed, 2 known. */
  private readonly state: number[];
  private readonly varValue = (id: number) => this.readValue(this.s.varEvent.get(id)!);

  constructor(private readonly s: Structure) {
    this.source = new Array(s.n).fill(-1);
    this.values = new Array(s.n).fill(undefined);
    this.state = new Array(s.n).fill(0);
  }

  private readValue(r: number): Value | undefined {
    if (this.state[r] === 2) return this.values[r];
    if (this.state[r] === 1) return undefined;
    this.state[r] = 1;
    const v = evalExpr(this.s.events[this.source[r]!]!.value, this.varValue);
    this.values[r] = v;
    this.state[r] = 2;
    return v;
  }

  solve(choices: readonly LocationChoice[]): ((varId: number) => Value | undefined) | undefined {
    this.state.fill(0);
    for (const c of choices) for (const [r, w] of c.sources) this.source[r] = w;
    for (const e of this.s.events)
      if (e.kind === "R" && this.readValue(e.id) === undefined) return undefined;
    return this.varValue;
  }
}

export function checkTest(
  test: LitmusTest,
  model: Model,
  options: Partial<CheckOptions> = {},
): CheckResult {
  const opts = { ...DEFAULTS, ...options };
  const budget = new CheckBudget(
    checkLimits(opts.limits),
    `${test.file} under ${model.name}`,
    opts.onProgress,
    opts.progressMs,
  );
  const paths = threadPaths(test);
  const init = initialMemory(test);
  const initRegs = new Map<string, Value>();
  for (const e of test.init)
    if (e.loc.kind === "reg") initRegs.set(`${e.loc.tid}:${e.loc.reg}`, e.value);
  const observed = sortLocations(
    test,
    opts.observe === "all" ? everyLocation(test, paths) : test.observed,
  );

  const states = new Map<string, Value[]>();
  let positive = 0;
  let negative = 0;
  let scPositive = 0;
  let witness: Witness | undefined;

  const visitCombination = (combo: ThreadPath[]) => {
    const s = new Structure(test.arch, combo, init, opts);
    const solver = new Solver(s);
    forEachExecution(
      s,
      (x) => violatedAxiom(model, x) === undefined,
      (x, choices) => {
        budget.allowed++;
        const varValue = solver.solve(choices);
        if (!varValue) return;
        for (const p of combo) {
          for (const c of p.constraints) {
            const v = evalExpr(c.expr, varValue);
            if (v === undefined || (v !== 0) !== c.holds) return;
          }
        }
        const valueAt = (l: Location): Value => {
          if (l.kind === "mem") {
            const c = choices.find((c) => c.loc === l.name);
            if (!c) return init.get(l.name) ?? 0;
            return evalExpr(s.events[c.order[c.order.length - 1]!]!.value, varValue)!;
          }
          if (l.reg === "$0") return 0;
          const e = combo[l.tid]!.regs.get(l.reg);
          return e === undefined
            ? (initRegs.get(`${l.tid}:${l.reg}`) ?? 0)
            : evalExpr(e, varValue)!;
        };
        const values = observed.map(valueAt);
        states.set(values.map(String).join(";"), values);
        if (!holds(test.condition.prop, valueAt)) {
          negative++;
          return;
        }
        positive++;
        if (model === sc) return;
        const violated = violatedAxiom(sc, x);
        if (!violated) scPositive++;
        else if (!witness) {
          const cycle =
            violated.check === "acyclic" ? violated.rel.cycle()! : violated.rel.pairs()[0]!;
          const values = s.events.map((e) =>
            e.kind === "F"
              ? undefined
              : e.kind === "R"
                ? varValue((e.value as { id: number }).id)
                : evalExpr(e.value, varValue),
          );
          witness = { execution: x, values, axiom: violated, cycle };
        }
      },
      budget,
    );
  };

  const combo: ThreadPath[] = [];
  const product = (t: number) => {
    if (t === paths.length) return visitCombination([...combo]);
    for (const p of paths[t]!) {
      combo.push(p);
      product(t + 1);
      combo.pop();
    }
  };
  product(0);

  const q = test.condition.quantifier;
  const ok = q === "exists" ? positive > 0 : q === "~exists" ? positive === 0 : negative === 0;
  const sorted = [...states.values()].sort((a, b) => {
    for (let i = 0; i < a.length; i++) {
      const d = compareValues(a[i]!, b[i]!);
      if (d !== 0) return d;
    }
    return 0;
  });
  return {
    test,
    model,
    observed,
    states: sorted,
    positive,
    negative,
    ok,
    witness: scPositive === 0 && positive > 0 ? witness : undefined,
  };
}
