/*
 * kernel: the one call that assembles an experiment's machines from a
 * description a user writes: hardware, CPUs, softint variant, locking
 * policy (by name, or a policy object of the user's), reclamation scheme,
 * wire. The app calls it; so can a user's own program.
 */

import {
  type NetKernel,
  type NetKernelOptions,
  type NetPolicy,
  net_kernel,
  validatePolicy,
} from "@smpnet/netinet";
import { SimError } from "@smpnet/sim";
import { giant } from "./giant.js";

/** The policies this package ships, by name. */
export const POLICIES: Readonly<Record<string, NetPolicy>> = { giant };

/** Reclamation schemes a policy may take (the read sections of pcb lookups). */
export const RECLAMATION_SCHEMES = ["pserialize", "epoch", "smr", "smr-lazy"] as const;
export type ReclamationScheme = (typeof RECLAMATION_SCHEMES)[number];

/** Policies that read without a lock take one; giant takes none. */
const TAKES_RECLAMATION: ReadonlySet<string> = new Set();

export interface KernelOptions extends Omit<NetKernelOptions, "policy"> {
  /** A shipped policy's name, or a policy object. */
  policy: string | NetPolicy;
  /** The reclamation scheme, for a policy that takes one. */
  reclamation?: ReclamationScheme;
}

/** Resolves a policy name or checks a policy object; errors name the choices. */
export function resolvePolicy(p: string | NetPolicy): NetPolicy {
  if (typeof p === "string") {
    const found = POLICIES[p];
    if (found === undefined) {
      throw new SimError(
        `policy: no policy named "${p}"; choose one of ${Object.keys(POLICIES).join(", ")} or pass a policy object`,
      );
    }
    return found;
  }
  return validatePolicy(p);
}

export function kernel(opts: KernelOptions): NetKernel {
  const policy = resolvePolicy(opts.policy);
  if (opts.reclamation !== undefined) {
    if (!(RECLAMATION_SCHEMES as readonly string[]).includes(opts.reclamation)) {
      throw new SimError(
        `reclamation: "${opts.reclamation}" is not a scheme; choose one of ${RECLAMATION_SCHEMES.join(", ")}`,
      );
    }
    if (!TAKES_RECLAMATION.has(policy.name)) {
      throw new SimError(
        `reclamation: policy ${policy.name} takes no reclamation scheme (its lookups run under a lock); drop the option`,
      );
    }
  }
  const { reclamation: _r, policy: _p, ...rest } = opts;
  return net_kernel({ ...rest, policy });
}
