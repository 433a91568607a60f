/*
 * Where each CPU's time went. A CPU is always in exactly one class; the
 * machine switches class at the instant the CPU starts a different kind of
 * work, and the time since the last switch goes to the class left. With the
 * time quantum of time.ts the classes add up to the elapsed time exactly.
 */

import { IPL_NAMES, NIPL } from "./ipl.js";

export const ACCT_USER = 0;
export const ACCT_KERNEL = 1;
export const ACCT_SPIN = 2;
export const ACCT_IDLE = 3;
/** ACCT_INTR + ipl: a hard (or IPI) interrupt handler at that IPL. */
export const ACCT_INTR = 4;
/** ACCT_SOFTINT + level: a softint thread of SOFTINT_CLOCK..SOFTINT_SERIAL. */
export const ACCT_SOFTINT = ACCT_INTR + NIPL;
export const NACCT = ACCT_SOFTINT + 4;

const SOFTINT_NAMES = ["softclock", "softbio", "softnet", "softserial"];

/** Column names of a time split, in ACCT_* order. */
export const ACCT_NAMES: readonly string[] = [
  "user",
  "kernel",
  "spin",
  "idle",
  ...IPL_NAMES.map((n) => `intr:${n.slice(4).toLowerCase()}`),
  ...SOFTINT_NAMES,
];

/** A CPU's time by class, in nanoseconds, keyed by ACCT_NAMES. */
export type TimeSplit = Record<string, number>;

export function toTimeSplit(acc: Float64Array): TimeSplit {
  const out: TimeSplit = {};
  for (let i = 0; i < NACCT; i++) out[ACCT_NAMES[i]!] = acc[i]!;
  return out;
}
