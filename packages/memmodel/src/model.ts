/*
 * A memory model is a list of named axioms over a candidate execution, each
 * a check of one relation, as a cat file's `acyclic r as name` and
 * `empty r as name`. The model files in models/ compute their relations with
 * the operators of relation.ts, one `let` of the cat file per line.
 */
import type { Execution } from "./execution.js";
import type { Arch } from "./program.js";
import type { Relation } from "./relation.js";

export type ModelName = "sc" | "x86tso" | "mips";

export interface Axiom {
  readonly name: string;
  readonly check: "acyclic" | "empty";
  readonly rel: Relation;
}

export interface Model {
  readonly name: ModelName;
  /** The herd cat file it follows, for side-by-side reading. */
  readonly follows: string;
  /** The architecture whose fences it knows; undefined for one that applies to any (sc). */
  readonly arch: Arch | undefined;
  axioms(x: Execution): readonly Axiom[];
}

export const acyclic = (name: string, rel: Relation): Axiom => ({ name, check: "acyclic", rel });
export const empty = (name: string, rel: Relation): Axiom => ({ name, check: "empty", rel });

/** The first axiom `x` violates, or undefined when the model allows it. */
export function violatedAxiom(model: Model, x: Execution): Axiom | undefined {
  return model.axioms(x).find((a) => (a.check === "acyclic" ? !a.rel.acyclic() : !a.rel.isEmpty()));
}
