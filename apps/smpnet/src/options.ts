import { UsageError } from "./errors.js";

/** An integer option from `min` to `max`, or a UsageError naming the option, the range and why. */
export function parseIntOption(
  name: string,
  raw: string,
  min: number,
  max: number,
  why = "",
): number {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${name}: expected an integer from ${min} to ${max}${why ? ` (${why})` : ""}, got "${raw}"`,
    );
  }
  return n;
}
