/*
 * Canonical JSON and the result's hash. Keys sorted by UTF-16 code units and
 * numbers in ECMAScript's shortest form, as RFC 8785 (JCS) has it, so the
 * same result hashes the same on any machine, whatever order its fields were
 * built in. The hash is SHA-256 over that text, without the hash field.
 */

import { createHash } from "node:crypto";

export function canonicalJson(v: unknown): string {
  // native stringify does the work; the replacer hands it each object with its keys sorted
  return JSON.stringify(v, (_key, value: unknown) => {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new TypeError(`canonicalJson: ${value} has no JSON form; store a finite number`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const o = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) sorted[k] = o[k];
    return sorted;
  });
}

/** `sha256:<hex>` of the canonical JSON of `result` without its `hash` field. */
export function resultHash(result: object): string {
  const { hash: _hash, ...rest } = result as Record<string, unknown>;
  return `sha256:${createHash("sha256").update(canonicalJson(rest)).digest("hex")}`;
}
