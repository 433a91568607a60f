/*
 * Canonical JSON and the result's hash. Keys sorted by UTF-16 code units and
 * numbers in ECMAScript's shortest form, as RFC 8785 (JCS) has it, so the
 * same result hashes the same on any machine, whatever order its fields were
 * built in. The hash is SHA-256 over that text, without the hash field.
 */

import { createHash } from "node:crypto";

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") {
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new TypeError(`canonicalJson: ${v} has no JSON form; store a finite number`);
    }
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

/** `sha256:<hex>` of the canonical JSON of `result` without its `hash` field. */
export function resultHash(result: object): string {
  const { hash: _hash, ...rest } = result as Record<string, unknown>;
  return `sha256:${createHash("sha256").update(canonicalJson(rest)).digest("hex")}`;
}
