/*
 * This package's probes on the simulation's bus, defined once per
 * simulation: softint schedule and run, callout fire, watchdog tickle and
 * expiry. Emit sites are `if (p.on) p.emit(...)`, free while nobody listens.
 */

import type { Cpu, Probe, Simulation } from "@smpnet/sim";

export interface SoftintProbes {
  /** A handler was queued on `cpu` (not emitted when it was pending already). */
  softint_schedule: Probe<[cpu: Cpu, level: number, name: string]>;
  /** A handler starts running on `cpu`. */
  softint_run: Probe<[cpu: Cpu, level: number, name: string]>;
  /** A callout's function is called; `lateNs` = now - due time. */
  callout_fire: Probe<[cpu: Cpu, name: string, dueNs: number, lateNs: number]>;
  /** The watchdog was tickled. */
  wdog_tickle: Probe<[name: string]>;
  /** The watchdog ran out: a real machine resets here. */
  wdog_expire: Probe<[name: string, sinceTickleNs: number]>;
}

const bySim = new WeakMap<Simulation, SoftintProbes>();

export function softintProbes(sim: Simulation): SoftintProbes {
  let p = bySim.get(sim);
  if (p === undefined) {
    const bus = sim.probes;
    p = {
      softint_schedule: bus.define("softint_schedule"),
      softint_run: bus.define("softint_run"),
      callout_fire: bus.define("callout_fire"),
      wdog_tickle: bus.define("wdog_tickle"),
      wdog_expire: bus.define("wdog_expire"),
    };
    bySim.set(sim, p);
  }
  return p;
}
