/*
 * Hashes that identify what a result came from and the result itself: the
 * SHA-256 of canonical JSON (keys sorted, no blanks), so the same data gives
 * the same hash on any machine whatever order its keys were built in.
 */
import { createHash } from "node:crypto";

export function canonicalJson(x: unknown): string {
  if (x === null || typeof x !== "object") {
    if (typeof x === "number" && !Number.isFinite(x)) {
      throw new Error(`canonicalJson: ${x} has no JSON form`);
    }
    return JSON.stringify(x);
  }
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(x as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function sha256(x: unknown): string {
  return createHash("sha256").update(canonicalJson(x)).digest("hex");
}
