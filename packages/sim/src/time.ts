/*
 * Virtual time is a float64 count of nanoseconds. Every duration the machine
 * derives (cycles / clock, a delay given by a caller) is rounded to a multiple
 * of 2^-10 ns. Sums and differences of such numbers are exact in float64 up to
 * 2^43 ns (about 2.4 simulated hours), so a CPU's time split adds up to the
 * elapsed time to the bit and a preempted segment resumes with exactly the
 * time it had left.
 */

const QUANTA_PER_NS = 1024;

/** Rounds a duration in nanoseconds to the machine's time quantum. */
export function quantizeNs(ns: number): number {
  return Math.round(ns * QUANTA_PER_NS) / QUANTA_PER_NS;
}

export const NS_PER_US = 1e3;
export const NS_PER_MS = 1e6;
export const NS_PER_SEC = 1e9;
