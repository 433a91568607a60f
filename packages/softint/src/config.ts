/*
 * The softint part of a kernel description: which scheduling variant the
 * network softint follows, the clock rate, and the variant's tunables. Plain
 * data, checked here; every error names the field and how to fix it.
 *
 *   netbsd    as NetBSD today: SOFTINT_NET drains its queue to the end at
 *             priority 222, above SOFTINT_CLOCK (220) and every thread.
 *   budget    Linux's NAPI budget with ksoftirqd: each run of the network
 *             handler stops after `items` or `timeNs` and reschedules itself;
 *             past `maxRestarts` restarts or `restartTimeNs` of running, the
 *             rest goes to a per-CPU kernel thread until the queue is empty.
 *   threaded  FreeBSD's netisr threads in deferred dispatch: all network work
 *             runs in a per-CPU kernel thread the scheduler time-slices.
 *
 * `epochDriver` says who runs epoch(9)'s deferred callbacks: "hardclock"
 * (default) runs FreeBSD's epoch call task from the clock on every CPU
 * with callbacks pending, so grace periods last ticks; "writer-poll" leaves
 * it to the writers' poll() calls, as @smpnet/core does on its own.
 */

import type { EpochDriver } from "@smpnet/core";
import { MAXPRI_KTHREAD, PRI_KTHREAD, SimError } from "@smpnet/sim";
import {
  HZ_DEFAULT,
  MAX_SOFTIRQ_RESTART,
  MAX_SOFTIRQ_TIME_NS,
  NETDEV_BUDGET,
  NETDEV_BUDGET_NS,
} from "./constants.js";

export const SOFTINT_VARIANTS = ["netbsd", "budget", "threaded"] as const;
export type SoftintVariant = (typeof SOFTINT_VARIANTS)[number];

export interface BudgetConfig {
  /** Work items per run of the network handler (netdev_budget, 300). */
  items?: number;
  /** Time per run in ns (netdev_budget_usecs, 2 ms). */
  timeNs?: number;
  /** Restarts before the work moves to the thread (MAX_SOFTIRQ_RESTART, 10). */
  maxRestarts?: number;
  /** Running time before the work moves to the thread (MAX_SOFTIRQ_TIME, 2 ms). */
  restartTimeNs?: number;
}

export interface SoftintConfig {
  variant: SoftintVariant;
  /** Clock interrupts per second (default HZ 100, NetBSD's). */
  hz?: number;
  /** Only with variant "budget". */
  budget?: BudgetConfig;
  /**
   * Priority of the network thread of "budget" and "threaded", 0..127.
   * Default PRI_KTHREAD (96), where kthread_create(PRI_NONE) puts kernel
   * threads ("Minimum kernel priority level", kern_kthread.c); the scheduler
   * rotates it with threads of the same priority. MAXPRI_USER (63) puts it
   * among user threads, as Linux's ksoftirqd runs at nice 0 among processes.
   */
  threadPri?: number;
  /** Who runs epoch callbacks: "hardclock" (default, FreeBSD's) or "writer-poll". */
  epochDriver?: EpochDriver;
}

export interface ResolvedConfig {
  variant: SoftintVariant;
  hz: number;
  budget: Required<BudgetConfig>;
  threadPri: number;
  epochDriver: EpochDriver;
}

const FIELDS = ["variant", "hz", "budget", "threadPri", "epochDriver"];
const EPOCH_DRIVERS: readonly EpochDriver[] = ["hardclock", "writer-poll"];
const BUDGET_FIELDS = ["items", "timeNs", "maxRestarts", "restartTimeNs"];

function fail(field: string, msg: string): never {
  throw new SimError(`softint.${field}: ${msg}`);
}

function positiveInt(field: string, v: unknown, dflt: number, zeroOk = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < (zeroOk ? 0 : 1)) {
    fail(field, `expected ${zeroOk ? "a non-negative" : "a positive"} integer, got ${String(v)}`);
  }
  return v;
}

function positiveNs(field: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !(v > 0 && v < Number.POSITIVE_INFINITY)) {
    fail(field, `expected a positive number of ns, got ${String(v)}`);
  }
  return v;
}

/** Checks a softint configuration and fills in the documented defaults. */
export function validateSoftintConfig(cfg: unknown): ResolvedConfig {
  if (typeof cfg !== "object" || cfg === null) {
    throw new SimError(
      `softint: expected an object such as { variant: "netbsd" }, got ${String(cfg)}`,
    );
  }
  const c = cfg as Record<string, unknown>;
  for (const k of Object.keys(c)) {
    if (!FIELDS.includes(k)) fail(k, `unknown field; the fields are ${FIELDS.join(", ")}`);
  }
  const variant = c.variant;
  if (variant === undefined) {
    fail("variant", `missing; choose one of ${SOFTINT_VARIANTS.join(", ")}`);
  }
  if (!SOFTINT_VARIANTS.includes(variant as SoftintVariant)) {
    fail(
      "variant",
      `unknown variant ${JSON.stringify(variant)}; choose one of ${SOFTINT_VARIANTS.join(", ")}`,
    );
  }
  const hz = positiveInt("hz", c.hz, HZ_DEFAULT);
  if (hz > 10_000)
    fail("hz", `expected at most 10000 ticks per second, got ${hz} (NetBSD's default is 100)`);
  if (c.budget !== undefined && variant !== "budget") {
    fail("budget", `only the "budget" variant has a budget; remove it or set variant: "budget"`);
  }
  const b = (c.budget ?? {}) as Record<string, unknown>;
  if (typeof b !== "object" || b === null) fail("budget", `expected an object, got ${String(b)}`);
  for (const k of Object.keys(b)) {
    if (!BUDGET_FIELDS.includes(k)) {
      fail(`budget.${k}`, `unknown field; the fields are ${BUDGET_FIELDS.join(", ")}`);
    }
  }
  const budget = {
    items: positiveInt("budget.items", b.items, NETDEV_BUDGET),
    timeNs: positiveNs("budget.timeNs", b.timeNs, NETDEV_BUDGET_NS),
    maxRestarts: positiveInt("budget.maxRestarts", b.maxRestarts, MAX_SOFTIRQ_RESTART, true),
    restartTimeNs: positiveNs("budget.restartTimeNs", b.restartTimeNs, MAX_SOFTIRQ_TIME_NS),
  };
  if (c.threadPri !== undefined && variant === "netbsd") {
    fail("threadPri", `the "netbsd" variant has no network thread; remove threadPri`);
  }
  const threadPri = positiveInt("threadPri", c.threadPri, PRI_KTHREAD, true);
  if (threadPri > MAXPRI_KTHREAD) {
    fail(
      "threadPri",
      `expected a priority in 0..${MAXPRI_KTHREAD} (a user or kernel thread's), got ${threadPri}; above that only real-time threads and the softints run, and nothing would rotate with it`,
    );
  }
  const epochDriver = (c.epochDriver ?? "hardclock") as EpochDriver;
  if (!EPOCH_DRIVERS.includes(epochDriver)) {
    fail(
      "epochDriver",
      `unknown driver ${JSON.stringify(c.epochDriver)}; choose "hardclock" (FreeBSD's call task) or "writer-poll"`,
    );
  }
  return { variant: variant as SoftintVariant, hz, budget, threadPri, epochDriver };
}
