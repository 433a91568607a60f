export { giant } from "./giant.js";
export { type KernelOptions, kernel, POLICIES, resolvePolicy } from "./kernel.js";
export { net_mpsafe } from "./net-mpsafe.js";
export { dropped, mutexPoint } from "./points.js";
export {
  type PcbReader,
  PcbReadStats,
  pcb_reclamation,
  pcbReader,
  RECLAMATION_SCHEMES,
  REVALIDATE_CYCLES,
  type ReclamationScheme,
} from "./reclamation.js";
export { solock_v1 } from "./solock-v1.js";
export { split } from "./split.js";
