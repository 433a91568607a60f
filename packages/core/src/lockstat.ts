/*
 * lockstat: what NetBSD's lockstat(4) driver gathers while lockstat(8) runs:
 * per lock and per caller, how often a lock event happened and the time it
 * took. Events follow lockstat(8)'s sections. Locks are grouped by name
 * (lockstat -M merges addresses within an object the same way); the caller
 * is the innermost named kernel function (kfn).
 */

import type { Host } from "@smpnet/sim";
import { coreState } from "./state.js";

export const LOCKSTAT_EVENTS = [
  "Adaptive mutex spin",
  "Adaptive mutex sleep",
  "Spin mutex spin",
  "RW lock spin",
  "RW lock sleep",
  "Kernel lock spin",
] as const;

export type LockStatEvent = (typeof LOCKSTAT_EVENTS)[number];

/** One (event, lock, caller) cell: how many events and their total time. */
export interface LockStatRecord {
  event: LockStatEvent;
  lock: string;
  caller: string;
  count: number;
  timeNs: number;
}

export class LockStat {
  private cells = new Map<string, LockStatRecord>();

  record(event: LockStatEvent, lock: string, caller: string, ns: number): void {
    const key = `${event}\0${lock}\0${caller}`;
    let c = this.cells.get(key);
    if (c === undefined) {
      c = { event, lock, caller, count: 0, timeNs: 0 };
      this.cells.set(key, c);
    }
    c.count++;
    c.timeNs += ns;
  }

  /** Every cell recorded so far, in lockstat's section order, then by time. */
  records(): LockStatRecord[] {
    const order = (e: LockStatEvent) => LOCKSTAT_EVENTS.indexOf(e);
    return [...this.cells.values()]
      .map((c) => ({ ...c }))
      .sort((a, b) => order(a.event) - order(b.event) || b.timeNs - a.timeNs);
  }
}

/** Starts gathering lock statistics on `host` (lockstat(8) starting its command). */
export function lockstat_enable(host: Host): LockStat {
  const st = coreState(host);
  st.stat ??= new LockStat();
  return st.stat;
}

/** Stops gathering; returns what was gathered. */
export function lockstat_disable(host: Host): LockStat | null {
  const st = coreState(host);
  const s = st.stat;
  st.stat = null;
  return s;
}
