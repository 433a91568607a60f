import { POLICIES, type ReclamationScheme } from "../src/index.js";

/** Every shipped policy with every scheme it takes. */
export const KERNELS: { policy: string; reclamation?: ReclamationScheme }[] = Object.entries(
  POLICIES,
).flatMap(([policy, p]) =>
  p.takes.length === 0 ? [{ policy }] : p.takes.map((reclamation) => ({ policy, reclamation })),
);
