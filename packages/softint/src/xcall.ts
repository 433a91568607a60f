/*
 * High-priority cross-calls at a soft IPL, after NetBSD sys/kern/subr_xcall.c
 * (xc_broadcast with XC_HIGHPRI_IPL(ipl), xc_wait, xc_barrier): the call
 * runs on every CPU from a softint of the given level, which an IPI
 * schedules on the other CPUs (xc_ipi_handler) and the caller schedules on
 * its own; the caller sleeps until every CPU has run it. One high-priority
 * call is in flight at a time (xc_lock); a second caller waits its turn.
 *
 * Because one LWP per CPU runs a level's handlers in FIFO order, the call
 * completes on a CPU only after every handler of that level that was
 * pending or running there when it came: xc_barrier at a softint's level
 * is how softint_disestablish knows the handler has finished everywhere.
 *
 * Left out: the low-priority path (xc_lowpri's xcall/N threads),
 * xc_unicast, ticket numbers (a call's completion is its own count).
 */

import { ksleep } from "@smpnet/core";
import {
  type Cpu,
  curcpu,
  type Host,
  ipi_send,
  type KernelGen,
  kpreempt_disable,
  kpreempt_enable,
  SimError,
  wakeup,
} from "@smpnet/sim";
import { IPI_IPL } from "./constants.js";
import { SOFTINT_COUNT, SOFTINT_MPSAFE, type SoftintLevel } from "./levels.js";
import { type SoftintHandle, softint_establish, softint_schedule } from "./softint.js";

/** xc_high_pri: the call in flight, and the per-level softints that run it (xc_sihs). */
export class XcHighPri {
  busy = false;
  done = 0;
  readonly sihs: SoftintHandle[] = [];

  constructor(readonly host: Host) {
    for (let level = 0 as SoftintLevel; level < SOFTINT_COUNT; level++) {
      this.sihs.push(
        softint_establish(host, level | SOFTINT_MPSAFE, xc__highpri_intr, this, "xcall"),
      );
    }
  }
}

/** The softint handler: one CPU has run the call (xc__highpri_intr, with a no-op function). */
function* xc__highpri_intr(xc: XcHighPri): KernelGen {
  if (++xc.done === xc.host.cpus.length) yield* wakeup(xc);
}

/**
 * xc_barrier(XC_HIGHPRI_IPL(ipl)) for the IPL of softint `level`: returns
 * once every CPU has run a no-op from a softint of that level. Thread
 * context only (it sleeps).
 */
export function* xc_barrier(xc: XcHighPri, level: SoftintLevel): KernelGen {
  if (curcpu().curctx.lwp === null) {
    throw new SimError("xc_barrier: not from an interrupt handler; cross-calls sleep");
  }
  while (xc.busy) yield* ksleep(xc.sihs); // cv_wait on xc_lock for the call in flight
  xc.busy = true;
  xc.done = 0;
  const sih = xc.sihs[level]!;
  const xc_ipi_handler = function* (): KernelGen {
    yield* softint_schedule(sih);
  };
  // the IPIs and the local schedule from one CPU: no migration in between
  kpreempt_disable();
  const self: Cpu = curcpu();
  for (const c of xc.host.cpus) {
    if (c !== self) yield* ipi_send(c.index, xc_ipi_handler, IPI_IPL);
  }
  yield* softint_schedule(sih);
  yield* kpreempt_enable();
  // test and sleep in one instant: the last CPU's wakeup is not lost
  while (xc.done < xc.host.cpus.length) yield* ksleep(xc);
  xc.busy = false;
  yield* wakeup(xc.sihs);
}
