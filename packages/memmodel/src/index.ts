/*
 * @smpnet/memmodel: which final states of a small concurrent program each
 * memory model allows, with herd7's answers. Read a test with parseLitmus,
 * run it with checkTest under sc, x86tso or mips, print it with
 * formatResult (herd7's layout) or resultJson.
 */

export {
  CheckLimitError,
  type CheckLimits,
  type CheckProgress,
  DEFAULT_LIMITS,
  type LimitName,
} from "./budget.js";
export {
  type Barrier,
  FENCE_SPELLING,
  type Pattern,
  type Step,
  type Variant,
  type VariantKind,
} from "./catalogue/pattern.js";
export { CATALOGUE } from "./catalogue/patterns.js";
export { spellLitmus, testName, variantSlug, variantsOf } from "./catalogue/spell.js";
export { catalogueFiles, type VerifyRow, verifyCatalogue } from "./catalogue/verify.js";
export { type CheckOptions, type CheckResult, checkTest, type Witness } from "./check.js";
export { LitmusSyntaxError, MemmodelError, visible } from "./errors.js";
export type { Event, Execution, Structure, StructureOptions } from "./execution.js";
export {
  formatResult,
  observation,
  type ResultJson,
  resultJson,
  stateText,
  verdict,
} from "./format.js";
export { parseLitmus } from "./litmus/parse.js";
export { type Axiom, acyclic, empty, type Model, type ModelName, violatedAxiom } from "./model.js";
export { mips } from "./models/mips.js";
export { archModel, MODELS, modelByName, modelsFor } from "./models/registry.js";
export { sc } from "./models/sc.js";
export { x86tso } from "./models/x86tso.js";
export type {
  Address,
  Arch,
  Condition,
  FenceKind,
  Instr,
  LitmusTest,
  Location,
  Operand,
  Prop,
  Quantifier,
  SourceRef,
  Thread,
} from "./program.js";
export type { EventSet, Relation } from "./relation.js";
export type { BinOp, Value } from "./value.js";
