/*
 * A hardware watchdog driven as NetBSD's sysmon_wdog
 * (sys/dev/sysmon/sysmon_wdog.c, v1.28) drives one in kernel-tickle mode:
 * sysmon_wdog_setmode(WDOG_MODE_KTICKLE, period) arms a callout that
 * tickles the device and re-arms itself (sysmon_wdog_ktickle, under
 * sysmon_wdog_mtx, an adaptive mutex at IPL_SOFTCLOCK) every half period:
 * WDOG_PERIOD_TO_TICKS(period) / 2 ticks, period * hz / 2 (sys/wdog.h).
 *
 * The device counts down `period` seconds from its last tickle. When it gets
 * to zero a real machine resets; here it records a miss with its time and
 * starts counting again, so a run shows how often that would have happened.
 * Because the tickle is a callout, it runs from SOFTINT_CLOCK: a CPU that
 * never gets to SOFTINT_CLOCK never feeds its watchdog.
 */

import { type kmutex_t, MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } from "@smpnet/core";
import {
  type EventHandle,
  type Host,
  IPL_SOFTCLOCK,
  type KernelGen,
  NS_PER_SEC,
  SimError,
  work,
} from "@smpnet/sim";
import { callout_init, callout_reset, callout_stop } from "./callout.js";
import type { callout_t } from "./callout-wheel.js";
import { WDOG_TICKLE_CYCLES } from "./constants.js";
import { system } from "./system.js";

/** Modes, as sys/wdog.h numbers them. */
export const WDOG_MODE_DISARMED = 0;
export const WDOG_MODE_KTICKLE = 1;
export const WDOG_MODE_UTICKLE = 2;
export const WDOG_MODE_ETICKLE = 3;

export interface WdogOptions {
  name: string;
}

/** struct sysmon_wdog plus the device's countdown. */
export class sysmon_wdog {
  smw_mode = WDOG_MODE_DISARMED;
  /** Seconds the device waits for a tickle. */
  smw_period = 0;
  tickles = 0;
  lastTickleNs = 0;
  /** When the device ran out (a real machine resets), ns. */
  readonly missesNs: number[] = [];
  expireEv: EventHandle = 0;
  readonly callout: callout_t;
  readonly mtx: kmutex_t;

  constructor(
    readonly host: Host,
    readonly name: string,
  ) {
    this.callout = callout_init(host, 0, `wdog ${name}`);
    this.mtx = mutex_init(host, "sysmon_wdog_mtx", MUTEX_DEFAULT, IPL_SOFTCLOCK);
  }
}

/** sysmon_wdog_register: a watchdog device of `host`, disarmed. */
export function sysmon_wdog_register(host: Host, opts: WdogOptions): sysmon_wdog {
  system(host);
  return new sysmon_wdog(host, opts.name);
}

/** WDOG_PERIOD_TO_TICKS(smw_period) / 2, at least a tick. */
function ticksPerTickle(smw: sysmon_wdog): number {
  return Math.max(1, Math.floor((smw.smw_period * system(smw.host).config.hz) / 2));
}

/** The device: restart the countdown. */
function smw_tickle(smw: sysmon_wdog): void {
  const sim = smw.host.sim;
  if (smw.expireEv !== 0) sim.cancel(smw.expireEv);
  smw.tickles++;
  smw.lastTickleNs = sim.now;
  smw.expireEv = sim.after(smw.smw_period * NS_PER_SEC, expire, smw);
  const p = system(smw.host).probes.wdog_tickle;
  if (p.on) p.emit(smw.name);
}

function expire(arg: unknown): void {
  const smw = arg as sysmon_wdog;
  const sim = smw.host.sim;
  smw.expireEv = 0;
  smw.missesNs.push(sim.now);
  const p = system(smw.host).probes.wdog_expire;
  if (p.on) p.emit(smw.name, sim.now - smw.lastTickleNs);
  // a real machine resets here; the model counts again from now
  smw.lastTickleNs = sim.now;
  smw.expireEv = sim.after(smw.smw_period * NS_PER_SEC, expire, smw);
}

/** sysmon_wdog_ktickle: the callout; tickles and re-arms itself. */
export function* sysmon_wdog_ktickle(smw: sysmon_wdog): KernelGen {
  yield* mutex_enter(smw.mtx);
  if (smw.smw_mode === WDOG_MODE_KTICKLE) {
    yield* work(WDOG_TICKLE_CYCLES);
    smw_tickle(smw);
    yield* callout_reset(smw.callout, ticksPerTickle(smw), sysmon_wdog_ktickle, smw);
  }
  yield* mutex_exit(smw.mtx);
}

/**
 * sysmon_wdog_setmode: arms the device with `periodSec` (and in KTICKLE mode
 * the tickle callout), or disarms it. Kernel code (wdogctl's ioctl).
 */
export function* sysmon_wdog_setmode(smw: sysmon_wdog, mode: number, periodSec: number): KernelGen {
  if (mode !== WDOG_MODE_DISARMED && mode !== WDOG_MODE_KTICKLE) {
    throw new SimError(
      `sysmon_wdog_setmode ${smw.name}: mode ${String(mode)} is not modelled; use WDOG_MODE_KTICKLE or WDOG_MODE_DISARMED`,
    );
  }
  if (!(periodSec > 0 && periodSec < Number.POSITIVE_INFINITY)) {
    throw new SimError(
      `sysmon_wdog_setmode ${smw.name}: period must be a positive number of seconds, got ${String(periodSec)}`,
    );
  }
  yield* mutex_enter(smw.mtx);
  const omode = smw.smw_mode;
  smw.smw_mode = mode;
  smw.smw_period = periodSec;
  if (mode === WDOG_MODE_DISARMED) {
    if (smw.expireEv !== 0) smw.host.sim.cancel(smw.expireEv);
    smw.expireEv = 0;
    if (omode === WDOG_MODE_KTICKLE) yield* callout_stop(smw.callout);
  } else {
    yield* work(WDOG_TICKLE_CYCLES);
    smw_tickle(smw); // the driver's smw_setmode starts the device counting
    yield* callout_reset(smw.callout, ticksPerTickle(smw), sysmon_wdog_ktickle, smw);
  }
  yield* mutex_exit(smw.mtx);
}
