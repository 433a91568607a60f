export { giant } from "./giant.js";
export {
  type KernelOptions,
  kernel,
  POLICIES,
  RECLAMATION_SCHEMES,
  type ReclamationScheme,
  resolvePolicy,
} from "./kernel.js";
