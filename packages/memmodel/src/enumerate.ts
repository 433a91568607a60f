/*
 * Enumerates the candidate executions of a structure: a reads-from write for
 * every read and a coherence order of every location's writes, the initial
 * write first (herd's cos.cat generates every such order). Pruning:
 *
 * - Per location, only the (co, rf) pairs that satisfy uniproc, acyclic
 *   (po-loc | rf | co | fr) on that location. Every model here requires it
 *   (mips.cat and x86tso.cat check it; sc.cat's acyclic (po | com) implies
 *   it), so no allowed execution is lost; the count of allowed executions is
 *   herd's. A read is never given the write of its own instruction, as
 *   herd's candidate generation does not either (optace).
 * - Across locations, a depth-first choice of one pair per location, calling
 *   `keep` on each partial execution: a model's axioms only grow with rf, co
 *   and fr, so one that fails on part of an execution fails on all of it.
 *
 * Every call of `keep` is a candidate spent from the check's budget
 * (budget.ts), and every location choice kept is counted against its bytes.
 */
import type { CheckBudget } from "./budget.js";
import { Execution, type Structure } from "./execution.js";
import { Relation } from "./relation.js";

/** One location's part of an execution: who each read reads from, and the write order. */
export interface LocationChoice {
  readonly loc: string;
  /** [read, write] pairs, by event id. */
  readonly sources: readonly (readonly [number, number])[];
  /** The location's writes in coherence order, the initial write first. */
  readonly order: readonly number[];
  readonly rf: Relation;
  readonly co: Relation;
  readonly fr: Relation;
}

/**
 * Calls `visit` with each order of `items` in which no item comes after one
 * it must precede (`before`): an item is placed only once everything before
 * it is, so no partial order is a dead end. The array passed is reused.
 */
function linearExtensions(
  items: readonly number[],
  before: (a: number, b: number) => boolean,
  visit: (order: readonly number[]) => void,
): void {
  const order: number[] = [];
  const placed: boolean[] = items.map(() => false);
  const ready = (i: number) => items.every((y, j) => placed[j] || j === i || !before(y, items[i]!));
  const walk = () => {
    if (order.length === items.length) {
      visit(order);
      return;
    }
    for (let i = 0; i < items.length; i++) {
      if (placed[i] || !ready(i)) continue;
      placed[i] = true;
      order.push(items[i]!);
      walk();
      order.pop();
      placed[i] = false;
    }
  };
  walk();
}

/** What one LocationChoice holds, in bytes: three n-by-n bit matrices and two lists (estimate: 8 bytes an array element, 64 an object). */
function choiceBytes(s: Structure, c: LocationChoice): number {
  const words = (s.n + 31) >>> 5;
  return 8 * (3 * s.n * words + 2 * c.sources.length + c.order.length) + 6 * 64;
}

/**
 * Every (co, rf) on one location that satisfies uniproc and that `keep`
 * accepts. For one location, acyclic (po-loc | rf | co | fr) is the
 * conjunction of the coherence rules (Alglave, Maranget, Tautschnig, "Herding
 * cats", 2014), each a comparison of coherence positions along po:
 *   CoWW: w1 po w2 => co(w1) < co(w2)      CoWR: w po r => co(rf(r)) >= co(w)
 *   CoRW: r po w => co(rf(r)) < co(w)      CoRR: r1 po r2 => co(rf(r1)) <= co(rf(r2))
 * so each read gets an interval of positions to read from. The reads of
 * read-modify-writes are given their source first and `keep` is asked at
 * once: atomicity, which every model checks, then cuts the search early.
 */
export function locationChoices(
  s: Structure,
  loc: string,
  keep: (x: Execution) => boolean,
  budget: CheckBudget,
  emit: (c: LocationChoice, x: Execution) => void,
): void {
  const evs = s.events.filter((e) => e.kind !== "F" && e.loc === loc);
  const writes = evs.filter((e) => e.kind === "W");
  const init = writes.find((e) => e.tid < 0)!.id;
  const inRmw = (r: number) => writes.some((w) => s.rmw.has(r, w.id));
  const reads = evs
    .filter((e) => e.kind === "R")
    .sort((a, b) => Number(inRmw(b.id)) - Number(inRmw(a.id)));

  // CoWW: the writes of one thread in program order.
  const others = writes.filter((w) => w.id !== init).map((w) => w.id);
  linearExtensions(
    others,
    (a, b) => s.po.has(a, b),
    (rest) => {
      const order = [init, ...rest];
      const bounds = reads.map((r) => {
        let lo = 0;
        let hi = order.length;
        order.forEach((w, i) => {
          if (s.po.has(w, r.id)) lo = Math.max(lo, i);
          if (s.po.has(r.id, w)) hi = Math.min(hi, i);
        });
        return { lo, hi };
      });
      const sources: [number, number][] = [];
      const positions: number[] = [];
      const walk = (k: number) => {
        if (k === reads.length) {
          const c = globalChoice(s, loc, [...sources], order);
          const x = new Execution(s, c.rf, c.co, c.fr);
          budget.spend();
          if (keep(x)) emit(c, x);
          return;
        }
        const r = reads[k]!;
        let { lo, hi } = bounds[k]!;
        for (let j = 0; j < k; j++) {
          if (s.po.has(reads[j]!.id, r.id)) lo = Math.max(lo, positions[j]!);
          if (s.po.has(r.id, reads[j]!.id)) hi = Math.min(hi, positions[j]! + 1);
        }
        for (let i = lo; i < hi; i++) {
          const w = order[i]!;
          if (s.iico.has(r.id, w)) continue;
          sources.push([r.id, w]);
          positions.push(i);
          const c =
            inRmw(r.id) && k + 1 < reads.length ? globalChoice(s, loc, sources, order) : undefined;
          if (c) budget.spend();
          if (!c || keep(new Execution(s, c.rf, c.co, c.fr))) walk(k + 1);
          positions.pop();
          sources.pop();
        }
      };
      walk(0);
    },
  );
}

function globalChoice(
  s: Structure,
  loc: string,
  sources: [number, number][],
  order: number[],
): LocationChoice {
  const rf = Relation.empty(s.n);
  const co = Relation.empty(s.n);
  const fr = Relation.empty(s.n);
  for (let i = 0; i < order.length; i++)
    for (let j = i + 1; j < order.length; j++) co.add(order[i]!, order[j]!);
  for (const [r, w] of sources) {
    rf.add(w, r);
    for (const later of order.slice(order.indexOf(w) + 1)) fr.add(r, later);
  }
  return { loc, sources, order, rf, co, fr };
}

/**
 * Calls `visit` with every candidate execution all of whose partial
 * executions pass `keep`, and the choice made for each location. A single
 * location's choices are visited as they come; several locations' are kept
 * (and counted against the budget's bytes) to be combined.
 */
export function forEachExecution(
  s: Structure,
  keep: (x: Execution) => boolean,
  visit: (x: Execution, choices: readonly LocationChoice[]) => void,
  budget: CheckBudget,
): void {
  if (s.locs.length === 1) {
    locationChoices(s, s.locs[0]!, keep, budget, (c, x) => visit(x, [c]));
    return;
  }
  // Each location's choices the model accepts on their own; the location with fewest first.
  const options = s.locs
    .map((loc) => {
      const out: LocationChoice[] = [];
      locationChoices(s, loc, keep, budget, (c) => {
        budget.store(choiceBytes(s, c));
        out.push(c);
      });
      return out;
    })
    .sort((a, b) => a.length - b.length);
  const chosen: LocationChoice[] = [];
  const walk = (depth: number, rf: Relation, co: Relation, fr: Relation) => {
    for (const c of options[depth]!) {
      const x = new Execution(s, rf.union(c.rf), co.union(c.co), fr.union(c.fr));
      budget.spend();
      if (!keep(x)) continue;
      chosen.push(c);
      if (depth + 1 === options.length) visit(x, chosen);
      else walk(depth + 1, x.rf, x.co, x.fr);
      chosen.pop();
    }
  };
  if (options.length === 0) {
    const none = Relation.empty(s.n);
    const x = new Execution(s, none, none, none);
    budget.spend();
    if (keep(x)) visit(x, chosen);
    return;
  }
  walk(0, Relation.empty(s.n), Relation.empty(s.n), Relation.empty(s.n));
  for (const cs of options) for (const c of cs) budget.release(choiceBytes(s, c));
}
