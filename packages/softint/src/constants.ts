/*
 * The constants this package models, each with its source or marked an
 * estimate. Costs are cycles of the CPU that pays them; the hardware's own
 * costs (interrupt entry, context switch, atomics) come from the profile.
 */

import { IPL_HIGH } from "@smpnet/sim";

/**
 * HZ: the default clock rate of sys/conf/param.c ("#ifndef HZ / #define HZ
 * 100 / int hz = HZ", as the BSD copies of param.c read here have it; NetBSD's
 * own v1.68 was found in the index but not opened). A kernel config may set
 * another; evbmips does not.
 */
export const HZ_DEFAULT = 100;

/** Round-robin slice in ticks: rrticks = hz / 10, 100 ms at any hz (sched_4bsd.c sched_setup; kernel.md §1). */
export function rrticks(hz: number): number {
  return Math.max(1, Math.floor(hz / 10));
}

/** hardclock's own work: tick counters, sched_tick's test, the timecounter poll. Estimate. */
export const HARDCLOCK_CYCLES = 300;

/** softint_schedule: splhigh, the pending test, a queue append, softint_trigger. Estimate. */
export const SOFTINT_SCHEDULE_CYCLES = 40;

/** softint_execute per handler: dequeue, clear PENDING, the splx/splhigh pair. Estimate. */
export const SOFTINT_EXECUTE_CYCLES = 60;

/** One callout wheel operation under cc_lock (insert, remove, re-bucket). Estimate. */
export const CALLOUT_WHEEL_CYCLES = 40;

/** smw_tickle of a watchdog: an uncached write to the device's register. Estimate. */
export const WDOG_TICKLE_CYCLES = 200;

/**
 * The IPL of an ipi(9) interrupt, which softint_schedule_cpu and the
 * high-priority cross-calls send: IPL_HIGH, as x86 takes its IPIs
 * (unverified for evbmips, where only its place above every soft level
 * matters here).
 */
export const IPI_IPL = IPL_HIGH;

/** pktq_enqueue: pcq_put (a compare-and-swap on the per-CPU queue) and the counters. Estimate. */
export const PKTQ_ENQUEUE_CYCLES = 60;

/*
 * The budget variant's defaults are Linux's (kernel.md §9): net_rx_action's
 * netdev_budget of 300 packets and netdev_budget_usecs of 2000 per run
 * (net/core/dev.c), __do_softirq's MAX_SOFTIRQ_RESTART of 10 restarts within
 * MAX_SOFTIRQ_TIME of 2 ms (kernel/softirq.c), after which ksoftirqd, a
 * normal thread, gets the rest.
 */
export const NETDEV_BUDGET = 300;
export const NETDEV_BUDGET_NS = 2_000_000;
export const MAX_SOFTIRQ_RESTART = 10;
export const MAX_SOFTIRQ_TIME_NS = 2_000_000;

/**
 * Default length of a per-CPU packet queue: IFQ_MAXLEN, 256 (NetBSD
 * sys/net/if.h v1.242, "#ifndef IFQ_MAXLEN"), which ip_input.c creates
 * ip_pktq with (pktq_create(IFQ_MAXLEN, ipintr, NULL): unverified here).
 */
export const IFQ_MAXLEN = 256;
