/*
 * hardclock, after NetBSD sys/kern/kern_clock.c: the clock interrupt, hz
 * times a second on every CPU at IPL_SCHED (IPL_CLOCK is IPL_SCHED in
 * NetBSD). Each tick it counts hardclock_ticks (on the primary CPU), runs the
 * scheduler's clock work (sched_tick every rrticks ticks, which ends the
 * running LWP's slice if an equal or better one waits) and callout_hardclock
 * (which schedules SOFTINT_CLOCK when callouts are due). With the
 * "hardclock" epoch driver it also does what FreeBSD's hardclock does for
 * epoch(9): enqueue the CPU's epoch call task when its epoch_cb_count is
 * not zero (kern_clock.c).
 *
 * Every CPU ticks at the same instants, t0 + n / hz; a tick that finds the
 * IPL at IPL_SCHED or above is taken when it drops, as a real clock
 * interrupt would be. Left out: statclock, the timecounter, tickless idle.
 */

import { epoch_cb_count } from "@smpnet/core";
import { type Cpu, type IntrSource, IPL_SCHED, type KernelGen, work } from "@smpnet/sim";
import { callout_hardclock } from "./callout.js";
import { HARDCLOCK_CYCLES, rrticks } from "./constants.js";
import { softint_schedule } from "./softint.js";
import { type SoftintSystem, system } from "./system.js";

export function* hardclock(cpu: Cpu): KernelGen {
  const sys = system(cpu.host);
  yield* work(HARDCLOCK_CYCLES);
  if (cpu.index === 0) sys.hardclockTicks++;
  const spc = sys.cpus[cpu.index]!;
  if (--spc.spcTicks <= 0) {
    spc.spcTicks = rrticks(sys.config.hz);
    cpu.sched_tick();
  }
  yield* callout_hardclock();
  if (sys.epochSih !== null && epoch_cb_count(cpu) !== 0) yield* softint_schedule(sys.epochSih);
}

/** Starts the clock: tick n raises hardclock on every CPU at t0 + n * tickNs. */
export function startClock(sys: SoftintSystem): IntrSource {
  const host = sys.host;
  const src = host.intr_establish({
    name: "hardclock",
    ipl: IPL_SCHED,
    cpu: 0,
    handler: hardclock,
  });
  let n = 0;
  const tick = () => {
    // the next tick first: a raise runs the CPU at once, up to the next event
    n++;
    host.sim.at(sys.t0 + (n + 1) * sys.tickNs, tick);
    for (const c of host.cpus) src.raise(c.index);
  };
  host.sim.at(sys.t0 + sys.tickNs, tick);
  return src;
}
