/*
 * Shows one execution as its events and relations, the way one draws it on
 * paper: events lettered a, b, c in thread order (initial writes as
 * `init:x`), po and co as their immediate steps, rf and fr in full, the
 * dependencies when there are any, and the cycle (or pair) by which sc
 * rejects it, each step named after the relation it takes.
 */
import type { CheckResult, Witness } from "./check.js";
import type { Event } from "./execution.js";
import type { Relation } from "./relation.js";

function eventName(e: Event, index: number): string {
  if (e.tid < 0) return `init:${e.loc}`;
  const letter = String.fromCharCode(97 + (index % 26));
  return index < 26 ? letter : `${letter}${Math.floor(index / 26)}`;
}

function names(w: Witness): string[] {
  let k = 0;
  return w.execution.s.events.map((e) => eventName(e, e.tid < 0 ? 0 : k++));
}

/** The pairs of `r` not implied by two others: po and co drawn as chains. */
function immediate(r: Relation): [number, number][] {
  const pairs = r.pairs();
  return pairs.filter(([a, b]) => !pairs.some(([c, d]) => c === a && d !== b && r.has(d, b)));
}

function relations(w: Witness): [string, [number, number][]][] {
  const x = w.execution;
  const all: [string, [number, number][]][] = [
    ["po", immediate(x.po)],
    ["rf", x.rf.pairs()],
    ["co", immediate(x.co)],
    ["fr", x.fr.pairs()],
    ["rmw", x.rmw.pairs()],
    ["addr", x.s.addr.pairs()],
    ["data", x.s.data.pairs()],
    ["ctrl", x.s.ctrl.pairs()],
  ];
  return all.filter(([name, pairs]) => pairs.length > 0 || ["po", "rf", "co", "fr"].includes(name));
}

function eventText(w: Witness, e: Event): string {
  const who = e.tid < 0 ? "init" : `P${e.tid}`;
  if (e.kind === "F") return `${who} F ${e.fence}`;
  return `${who} ${e.kind} [${e.loc}]=${w.values[e.id]}`;
}

/** The cycle (or the offending pair) of the sc axiom, each step named by its relation. */
function violation(w: Witness, name: (id: number) => string): string {
  const x = w.execution;
  if (w.axiom.check === "empty") {
    const [a, b] = w.cycle;
    return `${w.axiom.name}: rmw & (fre;coe) holds for ${name(a!)}->${name(b!)}`;
  }
  const label = (a: number, b: number) =>
    (
      [
        ["po", x.po],
        ["rf", x.rf],
        ["co", x.co],
        ["fr", x.fr],
      ] as const
    ).find(([, r]) => r.has(a, b))?.[0] ?? "?";
  let text = name(w.cycle[0]!);
  for (let i = 1; i < w.cycle.length; i++) {
    text += ` -${label(w.cycle[i - 1]!, w.cycle[i]!)}-> ${name(w.cycle[i]!)}`;
  }
  return `${w.axiom.name}: ${text}`;
}

export function witnessLines(r: CheckResult, w: Witness): string[] {
  const n = names(w);
  const name = (id: number) => n[id]!;
  const events = w.execution.s.events.filter((e) => e.tid >= 0);
  const width = Math.max(...events.map((e) => eventText(w, e).length));
  return [
    `Witness: an execution ${r.model.name} allows and sc forbids`,
    ...events.map(
      (e) => `  ${name(e.id).padEnd(3)} ${eventText(w, e).padEnd(width)}  ${e.src?.text ?? ""}`,
    ),
    ...relations(w).map(([rel, pairs]) =>
      `  ${rel.padEnd(4)} ${pairs.map(([a, b]) => `${name(a)}->${name(b)}`).join(" ")}`.trimEnd(),
    ),
    `  sc rejects it: ${violation(w, name)}`,
  ];
}

export function witnessJson(w: Witness) {
  const n = names(w);
  const name = (id: number) => n[id]!;
  return {
    events: w.execution.s.events
      .filter((e) => e.tid >= 0)
      .map((e) => ({ name: name(e.id), text: eventText(w, e), instruction: e.src?.text ?? "" })),
    relations: Object.fromEntries(
      relations(w).map(([rel, pairs]) => [rel, pairs.map(([a, b]) => [name(a), name(b)])]),
    ),
    violates: w.axiom.name,
    cycle: violation(w, name),
  };
}
