/*
 * The models by name, and which apply to which architecture's tests: each
 * architecture's own (mips for MIPS, x86tso for X86) and sc for both.
 */
import { MemmodelError } from "../errors.js";
import type { Model } from "../model.js";
import type { Arch } from "../program.js";
import { mips } from "./mips.js";
import { sc } from "./sc.js";
import { x86tso } from "./x86tso.js";

export const MODELS: readonly Model[] = [mips, x86tso, sc];

export function modelByName(name: string): Model {
  const m = MODELS.find((x) => x.name === name);
  if (!m)
    throw new MemmodelError(
      `unknown model \`${name}\`; the models are ${MODELS.map((x) => x.name).join(", ")}`,
    );
  return m;
}

/** The architecture's own model: what herd7 runs a test of that architecture under by default. */
export function archModel(arch: Arch): Model {
  return arch === "MIPS" ? mips : x86tso;
}

/** The models that apply to tests of `arch`: its own, then sc. */
export function modelsFor(arch: Arch): Model[] {
  return [archModel(arch), sc];
}
