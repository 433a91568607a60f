/*
 * The kernel file's JSON Schema, made from the schema the app validates
 * with, so the published file (schema/kernel.schema.json) cannot drift from
 * what the app accepts: a test compares them.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import { KernelSpecSchema } from "./spec.js";

export const KERNEL_SCHEMA_ID = "https://smpnet.dev/schema/kernel-1.json";

export function kernelJsonSchema(): Record<string, unknown> {
  return {
    ...toJsonSchema(KernelSpecSchema, { errorMode: "ignore" }),
    $id: KERNEL_SCHEMA_ID,
    title: "smpnet kernel",
    description:
      "One kernel for smpnet run/compare/sweep: hardware, CPUs, softint variant, locking policy, reclamation scheme, wire.",
  };
}
