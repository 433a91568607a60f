/*
 * The claims `smpnet claims` runs, in DESIGN.md's order of questions, then
 * flow-level parallelism and the TCP_CRR case (issue 18's claims 4 and 5).
 */
import type { Claim } from "./claim.js";
import { flows, netMpsafe, solockSpin, splitLocks } from "./locking.js";
import { memoryModels } from "./memory-model.js";
import { crrChurn, schemeCosts } from "./reclamation.js";
import { softclock } from "./starvation.js";

export const CLAIMS: readonly Claim[] = [
  netMpsafe,
  solockSpin,
  splitLocks,
  schemeCosts,
  softclock,
  memoryModels,
  flows,
  crrChurn,
];
