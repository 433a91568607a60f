/*
 * softint_init: gives a host NetBSD's softint machinery when its kernel is
 * assembled (softint_init and callout_init_cpu for each CPU in NetBSD, and
 * initclocks): per CPU a softint LWP for each level, bound to the CPU, at its
 * priority, with its accounting class, dispatched as a fast softint; a
 * callout wheel and its lock; callout_sih; and the clock at hz.
 *
 * The host must let hardclock end time slices (hardclockSlices: true), so
 * the scheduler rotates threads on clock ticks as NetBSD's does.
 */

import { epoch_call_task, epoch_set_driver, MUTEX_DEFAULT, mutex_init } from "@smpnet/core";
import { type Host, IPL_SCHED, NS_PER_SEC, quantizeNs, SimError } from "@smpnet/sim";
import { callout_softclock } from "./callout.js";
import { CalloutCpu } from "./callout-wheel.js";
import { validateSoftintConfig } from "./config.js";
import { rrticks } from "./constants.js";
import { startClock } from "./hardclock.js";
import {
  SOFTINT_CLOCK,
  SOFTINT_COUNT,
  SOFTINT_MPSAFE,
  SOFTINT_NAMES,
  SOFTINT_SERIAL,
  type SoftintLevel,
  softintAcct,
  softintIpl,
  softintPri,
} from "./levels.js";
import { softintProbes } from "./probes.js";
import { softint_establish, softint_thread } from "./softint.js";
import { type SoftintCpu, SoftintQueue, type SoftintSystem, setSystem } from "./system.js";
import { XcHighPri } from "./xcall.js";

/**
 * Assembles the softints, callouts and clock of `host` with the given
 * configuration ({ variant, hz?, budget?, threadPri?, epochDriver? }; see
 * config.ts).
 * The clock's first tick comes one tick from now.
 */
export function softint_init(host: Host, config: unknown): SoftintSystem {
  const cfg = validateSoftintConfig(config);
  if (!host.hardclockSlices) {
    throw new SimError(
      `softint_init: host ${host.name} ends time slices by its own timer; create it with hardclockSlices: true so that hardclock's sched_tick does (kern_clock.c)`,
    );
  }
  const sys: SoftintSystem = {
    host,
    config: cfg,
    tickNs: quantizeNs(NS_PER_SEC / cfg.hz),
    t0: host.sim.now,
    cpus: [],
    probes: softintProbes(host.sim),
    calloutSih: null,
    callouts: new Set(),
    hardclockTicks: 0,
    xc: null,
    epochSih: null,
  };
  setSystem(host, sys);
  for (const cpu of host.cpus) {
    const levels: SoftintQueue[] = [];
    for (let level = 0 as SoftintLevel; level < SOFTINT_COUNT; level++) {
      const si = new SoftintQueue(level, cpu);
      si.lwp = host.kthread_create({
        name: `${SOFTINT_NAMES[level]}/${cpu.index}`,
        pri: softintPri(level),
        cpu: cpu.index,
        bound: true,
        nopreempt: true,
        softIpl: softintIpl(level),
        acct: softintAcct(level),
        body: () => softint_thread(si),
      });
      levels.push(si);
    }
    const lock = mutex_init(host, `callout/${cpu.index}`, MUTEX_DEFAULT, IPL_SCHED);
    const spc: SoftintCpu = {
      levels,
      callout: new CalloutCpu(cpu, lock),
      spcTicks: rrticks(cfg.hz),
    };
    sys.cpus.push(spc);
  }
  sys.calloutSih = softint_establish(
    host,
    SOFTINT_CLOCK | SOFTINT_MPSAFE,
    callout_softclock,
    undefined,
    "callout",
  );
  if (cfg.epochDriver === "hardclock") {
    epoch_set_driver(host, "hardclock");
    // FreeBSD's per-CPU epoch call task runs in a softirq taskqueue thread at
    // PI_SOFT, the top of its software-interrupt band: NetBSD's SOFTINT_SERIAL
    sys.epochSih = softint_establish(
      host,
      SOFTINT_SERIAL | SOFTINT_MPSAFE,
      epoch_call_task,
      undefined,
      "epoch call task",
    );
  }
  sys.xc = new XcHighPri(host); // xc_init_cpu's xc_sihs
  startClock(sys);
  return sys;
}
