/*
 * Prints results as herd7 does (top_herd.ml): the Test line with the kind
 * the quantifier claims, States and one line per final state, Ok or No,
 * Witnesses (swapped for ~exists, as herd swaps them), the Condition, the
 * Observation line; then, in place of herd's Time line, the model, and the
 * witness execution when there is one. The JSON form carries the same facts.
 */
import type { CheckResult } from "./check.js";
import type { Location, Prop } from "./program.js";
import type { Value } from "./value.js";
import { witnessJson, witnessLines } from "./witness.js";

const KIND = { exists: "Allowed", "~exists": "Forbidden", forall: "Required" } as const;

export const locationText = (l: Location) =>
  l.kind === "reg" ? `${l.tid}:${l.reg}` : `[${l.name}]`;

/** One final state: `0:EAX=0; [x]=1;`. */
export function stateText(observed: readonly Location[], values: readonly Value[]): string {
  return observed.map((l, i) => `${locationText(l)}=${values[i]};`).join(" ");
}

type Level = "top" | "and" | "or" | "implies";

/** herd's ConstrGen.pp_prop: parenthesised where a lower-binding operator sits inside a higher one. */
function propText(p: Prop, above: Level = "top"): string {
  const paren = (here: Level, s: string) =>
    above === "top" || above === here || (above === "or" && here === "and") ? s : `(${s})`;
  switch (p.kind) {
    case "atom":
      return `${locationText(p.loc)}=${p.value}`;
    case "not":
      return `not (${propText(p.p)})`;
    case "and":
      return p.ps.length === 0
        ? "true"
        : paren("and", p.ps.map((q) => propText(q, "and")).join(" /\\ "));
    case "or":
      return p.ps.length === 0
        ? "false"
        : paren("or", p.ps.map((q) => propText(q, "or")).join(" \\/ "));
    case "implies":
      return paren("implies", `${propText(p.p, "implies")} => ${propText(p.q, "implies")}`);
  }
}

export function conditionText(r: CheckResult): string {
  const c = r.test.condition;
  return `${c.quantifier} (${propText(c.prop)})`;
}

export const observation = (r: CheckResult) =>
  r.positive === 0 ? "Never" : r.negative === 0 ? "Always" : "Sometimes";

/** Allowed when some allowed execution satisfies the condition's proposition. */
export const verdict = (r: CheckResult) => (r.positive > 0 ? "Allowed" : "Forbidden");

/** herd prints the witness counts the other way round for ~exists. */
function witnesses(r: CheckResult): [number, number] {
  return r.test.condition.quantifier === "~exists"
    ? [r.negative, r.positive]
    : [r.positive, r.negative];
}

export function formatResult(r: CheckResult): string {
  const name = r.test.name;
  const [pos, neg] = witnesses(r);
  const lines = [
    `Test ${name} ${KIND[r.test.condition.quantifier]}`,
    `States ${r.states.length}`,
    ...r.states.map((s) => stateText(r.observed, s)),
    r.ok ? "Ok" : "No",
    "Witnesses",
    `Positive: ${pos} Negative: ${neg}`,
    `Condition ${conditionText(r)}`,
    `Observation ${name} ${observation(r)} ${r.positive} ${r.negative}`,
    `Model ${r.model.name} (${r.model.follows})`,
  ];
  if (r.witness) lines.push(...witnessLines(r, r.witness));
  return `${lines.join("\n")}\n`;
}

export interface ResultJson {
  readonly file: string;
  readonly test: string;
  readonly model: string;
  readonly verdict: "Allowed" | "Forbidden";
  readonly states: number;
  readonly positive: number;
  readonly negative: number;
  readonly ok: boolean;
  readonly observation: string;
  readonly condition: string;
  readonly finalStates: readonly string[];
  readonly witness?: ReturnType<typeof witnessJson>;
}

export function resultJson(r: CheckResult): ResultJson {
  const [positive, negative] = witnesses(r);
  return {
    file: r.test.file,
    test: r.test.name,
    model: r.model.name,
    verdict: verdict(r),
    states: r.states.length,
    positive,
    negative,
    ok: r.ok,
    observation: observation(r),
    condition: conditionText(r),
    finalStates: r.states.map((s) => stateText(r.observed, s)),
    ...(r.witness ? { witness: witnessJson(r.witness) } : {}),
  };
}
