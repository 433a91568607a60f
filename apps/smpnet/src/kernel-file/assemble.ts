/*
 * From a kernel description to the machines of an experiment: the named
 * hardware, the policy and scheme, softints and the wire, through
 * @smpnet/policies' kernel(). What the packages check again (CPUs against
 * the hardware, the policy's name, the wire's values) they report by field.
 */
import type { NetKernel, WireConfig } from "@smpnet/netinet";
import { kernel } from "@smpnet/policies";
import { HARDWARE } from "./hardware.js";
import type { ResolvedKernelSpec } from "./spec.js";

/** A label for the kernel in tables and results. */
export function kernelLabel(spec: ResolvedKernelSpec): string {
  if (spec.name !== undefined) return spec.name;
  return spec.reclamation === undefined ? spec.policy : `${spec.policy}+${spec.reclamation}`;
}

export function assembleKernel(spec: ResolvedKernelSpec, seed: number): NetKernel {
  const hw = HARDWARE[spec.hw];
  return kernel({
    seed,
    profile: hw.profile,
    nic: hw.nic,
    netCosts: hw.netCosts,
    policy: spec.policy,
    ...(spec.cpus !== undefined ? { cpus: spec.cpus } : {}),
    ...(spec.reclamation !== undefined ? { reclamation: spec.reclamation } : {}),
    softint: { variant: spec.softint, ...(spec.hz !== undefined ? { hz: spec.hz } : {}) },
    ...(spec.kernelPreemption !== undefined ? { kernelPreemption: spec.kernelPreemption } : {}),
    // valibot's partial output admits explicit undefined, which the schema never yields
    ...(spec.wire !== undefined ? { wire: spec.wire as Partial<WireConfig> } : {}),
    ...(spec.tcp !== undefined ? { tcp: spec.tcp } : {}),
  });
}
