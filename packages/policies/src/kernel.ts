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
import { net_mpsafe } from "./net-mpsafe.js";
import { RECLAMATION_SCHEMES, type ReclamationScheme } from "./reclamation.js";
import { solock_v1 } from "./solock-v1.js";
import { split } from "./split.js";

/**
 * The policies this package ships, by name: each made for a reclamation
 * scheme, or for none (`takes` empty: its lookups run under a lock).
 */
export const POLICIES: Readonly<
  Record<
    string,
    {
      make(scheme: ReclamationScheme | undefined): NetPolicy;
      /** The schemes it takes, and the one it takes when none is named. */
      takes: readonly ReclamationScheme[];
      defaultScheme?: ReclamationScheme;
    }
  >
> = {
  giant: { make: () => giant, takes: [] },
  "net-mpsafe": { make: () => net_mpsafe, takes: [] },
  // pserialize: the seed's patch
  "solock-v1": {
    make: (s) => solock_v1(s ?? "pserialize"),
    takes: RECLAMATION_SCHEMES,
    defaultScheme: "pserialize",
  },
  // epoch: FreeBSD's net_epoch_preempt, which its pcbs used before SMR
  split: { make: (s) => split(s ?? "epoch"), takes: RECLAMATION_SCHEMES, defaultScheme: "epoch" },
};

export interface KernelOptions extends Omit<NetKernelOptions, "policy"> {
  /** A shipped policy's name, or a policy object. */
  policy: string | NetPolicy;
  /** The reclamation scheme, for a policy that takes one (default: the policy's). */
  reclamation?: ReclamationScheme;
}

/** Resolves a policy name (with its scheme) or checks a policy object; errors name the choices. */
export function resolvePolicy(p: string | NetPolicy, reclamation?: ReclamationScheme): NetPolicy {
  if (
    reclamation !== undefined &&
    !(RECLAMATION_SCHEMES as readonly string[]).includes(reclamation)
  ) {
    throw new SimError(
      `reclamation: "${reclamation}" is not a scheme; choose one of ${RECLAMATION_SCHEMES.join(", ")}`,
    );
  }
  if (typeof p !== "string") {
    const policy = validatePolicy(p);
    if (reclamation !== undefined) {
      throw new SimError(
        `reclamation: policy ${policy.name} is an object; it chooses its own read sections (pcb_reclamation), drop the option`,
      );
    }
    return policy;
  }
  const found = Object.hasOwn(POLICIES, p) ? POLICIES[p] : undefined;
  if (found === undefined) {
    throw new SimError(
      `policy: no policy named "${p}"; choose one of ${Object.keys(POLICIES).join(", ")} or pass a policy object`,
    );
  }
  if (reclamation !== undefined && !found.takes.includes(reclamation)) {
    throw new SimError(
      `reclamation: policy ${p} takes no reclamation scheme (its lookups run under a lock); drop the option`,
    );
  }
  return found.make(reclamation);
}

export function kernel(opts: KernelOptions): NetKernel {
  const policy = resolvePolicy(opts.policy, opts.reclamation);
  const { reclamation: _r, policy: _p, ...rest } = opts;
  return net_kernel({ ...rest, policy });
}
