/*
 * Callout lateness as a distribution: every call's lateness (call time minus
 * the time of the tick it was due at) on every CPU, plus the callouts that
 * are still waiting past their due time, which count with their wait so far
 * (a lower bound: they have not run at all).
 */

import type { Host } from "@smpnet/sim";
import { CALLOUT_PENDING } from "./callout-wheel.js";
import { system } from "./system.js";

export interface CalloutStats {
  /** Calls made. */
  fired: number;
  /** Callouts past their due time and not yet called, now. */
  overdue: number;
  /** fired + overdue: due times that have come. */
  due: number;
  /** Calls after the tick they were due at (NetBSD's evcnt "callout late"). */
  late: number;
  /** Callout_halt calls that had to wait (evcnt "callout wait"). */
  waited: number;
  /** Lateness of every call and of every overdue callout so far, ascending, ns. */
  latenessNs: number[];
}

export function callout_stats(host: Host): CalloutStats {
  const sys = system(host);
  const now = host.sim.now;
  const lateness: number[] = [];
  let fired = 0;
  let late = 0;
  let waited = 0;
  for (const spc of sys.cpus) {
    const cc = spc.callout;
    fired += cc.latenessNs.length;
    late += cc.cc_ev_late;
    waited += cc.cc_ev_block;
    lateness.push(...cc.latenessNs);
  }
  let overdue = 0;
  for (const c of sys.callouts) {
    if ((c.c_flags & CALLOUT_PENDING) !== 0 && c.dueNs < now) {
      overdue++;
      lateness.push(now - c.dueNs);
    }
  }
  lateness.sort((a, b) => a - b);
  return { fired, overdue, due: fired + overdue, late, waited, latenessNs: lateness };
}

/**
 * A power-of-two histogram of ns values, as DTrace's quantize: bucket k
 * counts values in [2^k, 2^(k+1)), bucket "0" values below 1 ns.
 */
export function log2Histogram(values: readonly number[]): Map<string, number> {
  const h = new Map<string, number>();
  for (const v of values) {
    const key = v < 1 ? "0" : String(2 ** Math.floor(Math.log2(v)));
    h.set(key, (h.get(key) ?? 0) + 1);
  }
  return h;
}
