/*
 * A kernel file: what a user writes to describe one kernel (hardware, CPUs,
 * softint variant, locking policy, reclamation scheme, wire), in YAML or
 * JSON. The schema here is the single source: the app validates with it and
 * publishes it as JSON Schema (schema/kernel.schema.json) for editors.
 * TCP's sysctls are checked by @smpnet/netinet, whose messages name the field.
 */

import { RPS_HASHES, WireSchema } from "@smpnet/netinet";
import { RECLAMATION_SCHEMES } from "@smpnet/policies";
import { SOFTINT_VARIANTS } from "@smpnet/softint";
import * as v from "valibot";
import { HARDWARE_NAMES } from "./hardware.js";

const count = (what: string) =>
  v.pipe(
    v.number(`expected a whole number (${what})`),
    v.integer(`expected a whole number (${what})`),
    v.minValue(1, `expected at least 1 (${what})`),
  );

export const KernelSpecSchema = v.strictObject({
  /** A label for tables and results; defaults to the policy's name. */
  name: v.optional(v.pipe(v.string("expected a label"), v.minLength(1, "expected a label"))),
  hw: v.optional(v.picklist(HARDWARE_NAMES, `expected one of ${HARDWARE_NAMES.join(", ")}`), "er4"),
  cpus: v.optional(count("CPUs of the system under test, at most the hardware's")),
  policy: v.optional(
    v.pipe(
      v.string("expected a policy name, e.g. giant"),
      v.minLength(1, "expected a policy name"),
    ),
    "giant",
  ),
  reclamation: v.optional(
    v.picklist(RECLAMATION_SCHEMES, `expected one of ${RECLAMATION_SCHEMES.join(", ")}`),
  ),
  softint: v.optional(
    v.picklist(SOFTINT_VARIANTS, `expected one of ${SOFTINT_VARIANTS.join(", ")}`),
    "netbsd",
  ),
  hz: v.optional(count("clock interrupts per second, NetBSD's HZ, e.g. 100")),
  kernelPreemption: v.optional(v.boolean("expected true or false")),
  /** The link: speed, delay, MTU, impairments; unset fields from the NIC (speed, MTU) or zero. */
  wire: v.optional(v.partial(WireSchema)),
  /** Receive queues of the NIC, each with its own interrupt (default: the NIC's own). */
  rxQueues: v.optional(count("receive queues of the NIC")),
  /** The CPU each receive queue interrupts, queue i on rxCpus[i % length] (default all on CPU 0). */
  rxCpus: v.optional(
    v.pipe(
      v.array(
        v.pipe(
          v.number("expected CPU numbers"),
          v.integer("expected CPU numbers"),
          v.minValue(0, "expected CPU numbers"),
        ),
        "expected a list of CPU numbers, e.g. [0, 1, 2, 3]",
      ),
      v.minLength(1, "expected at least one CPU"),
    ),
  ),
  /** ip_pktq's steering (sysctl net.ether.rps_hash). */
  rpsHash: v.optional(v.picklist(RPS_HASHES, `expected one of ${RPS_HASHES.join(", ")}`)),
  /**
   * Modelled constants scaled for a sensitivity check: "costs.<name>" (the
   * hardware profile's, "costs.fenceCycles.sync" for a fence) or
   * "netCosts.<name>" (the network path's), each to a factor.
   */
  scale: v.optional(
    v.record(
      v.string(),
      v.pipe(
        v.number("expected a factor, e.g. 0.5 or 2"),
        v.minValue(0.01, "expected a factor of at least 0.01"),
        v.maxValue(100, "expected a factor of at most 100"),
      ),
      "expected an object of constant names to factors",
    ),
  ),
  /** TCP's sysctls on the system under test (see @smpnet/netinet's TcpSysctls). */
  tcp: v.optional(v.record(v.string(), v.unknown(), "expected an object of TCP sysctls")),
});

export type KernelSpec = v.InferInput<typeof KernelSpecSchema>;
export type ResolvedKernelSpec = v.InferOutput<typeof KernelSpecSchema>;
