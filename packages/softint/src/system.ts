/*
 * The softint machinery of one host, as softint_init assembles it: per CPU
 * and level a softint LWP and its queue of pending handlers, per CPU the
 * callout wheel and the scheduler's tick count, the clock, and the chosen
 * variant. Kernel code finds it through its CPU's host.
 */

import { type Cpu, type Host, HostSlot, type Lwp, SimError } from "@smpnet/sim";
import type { CalloutCpu, callout_t } from "./callout-wheel.js";
import type { ResolvedConfig } from "./config.js";
import type { SoftintLevel } from "./levels.js";
import type { SoftintProbes } from "./probes.js";
import type { SoftintHand, SoftintHandle } from "./softint.js";
import type { XcHighPri } from "./xcall.js";

/** One level on one CPU: si_q, si_active and the LWP that runs it. */
export class SoftintQueue {
  readonly q: SoftintHand[] = [];
  active = false;
  lwp: Lwp | null = null;

  constructor(
    readonly level: SoftintLevel,
    readonly cpu: Cpu,
  ) {}
}

export interface SoftintCpu {
  readonly levels: SoftintQueue[];
  readonly callout: CalloutCpu;
  /** spc_ticks: ticks left of the running LWP's slice. */
  spcTicks: number;
}

export interface SoftintSystem {
  readonly host: Host;
  readonly config: ResolvedConfig;
  readonly tickNs: number;
  /** When tick 0 was: tick n is due at t0 + n * tickNs. */
  readonly t0: number;
  readonly cpus: SoftintCpu[];
  readonly probes: SoftintProbes;
  /** callout_sih: SOFTINT_CLOCK | SOFTINT_MPSAFE, runs callout_softclock. */
  calloutSih: SoftintHandle | null;
  /** Every callout ever initialised and not destroyed (for the overdue count). */
  readonly callouts: Set<callout_t>;
  /** hardclock_ticks: ticks seen by the primary CPU. */
  hardclockTicks: number;
  /** The high-priority cross-calls at soft IPLs (softint_disestablish's barrier). */
  xc: XcHighPri | null;
  /** epoch_cb_task: the epoch call task hardclock schedules (epochDriver "hardclock"). */
  epochSih: SoftintHandle | null;
}

const systems = new HostSlot<SoftintSystem>();

export function setSystem(host: Host, s: SoftintSystem): void {
  if (systems.has(host)) {
    throw new SimError(`softint_init: host ${host.name} has its softints already; call it once`);
  }
  systems.set(host, s);
}

/** The host's softint system, or an error saying softint_init is missing. */
export function system(host: Host): SoftintSystem {
  const s = systems.get(host);
  if (s === undefined) {
    throw new SimError(
      `host ${host.name} has no softints; call softint_init(host, { variant }) when assembling it`,
    );
  }
  return s;
}
