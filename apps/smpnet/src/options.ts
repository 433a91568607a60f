import { UsageError } from "./errors.js";

/** An integer option of at least `min`, or a UsageError naming the option and the fix. */
export function parseIntOption(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${name}: expected an integer of at least ${min}, got "${raw}"`);
  }
  return n;
}
