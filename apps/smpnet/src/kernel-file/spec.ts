/*
 * A kernel file: what a user writes to describe one kernel (hardware, CPUs,
 * softint variant, locking policy, reclamation scheme, wire), in YAML or
 * JSON. The schema here is the single source: the app validates with it and
 * publishes it as JSON Schema (schema/kernel.schema.json) for editors.
 * TCP's sysctls are checked by @smpnet/netinet, whose messages name the field.
 */

import { WireSchema } from "@smpnet/netinet";
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
  /** TCP's sysctls on the system under test (see @smpnet/netinet's TcpSysctls). */
  tcp: v.optional(v.record(v.string(), v.unknown(), "expected an object of TCP sysctls")),
});

export type KernelSpec = v.InferInput<typeof KernelSpecSchema>;
export type ResolvedKernelSpec = v.InferOutput<typeof KernelSpecSchema>;
