/*
 * The four softint levels, after NetBSD sys/sys/intr.h and kern_softint.c:
 * SOFTINT_CLOCK lowest, SOFTINT_SERIAL highest. Each level has a scheduler
 * priority (PRI_SOFTCLOCK 220 .. PRI_SOFTSERIAL 223, above every user and
 * kernel thread: sys/sys/param.h), an IPL (IPL_SOFTCLOCK .. IPL_SOFTSERIAL)
 * and an accounting class of the machine.
 */

import { ACCT_SOFTINT, IPL_SOFTCLOCK, type Ipl, PRI_SOFTCLOCK, SimError } from "@smpnet/sim";

export const SOFTINT_CLOCK = 0x0000;
export const SOFTINT_BIO = 0x0001;
export const SOFTINT_NET = 0x0002;
export const SOFTINT_SERIAL = 0x0003;
export const SOFTINT_LVLMASK = 0x00ff;
/** The handler needs no KERNEL_LOCK (NetBSD's flag value). */
export const SOFTINT_MPSAFE = 0x0100;
/** The handler may be scheduled on another CPU, by IPI (softint_schedule_cpu; NetBSD's value). */
export const SOFTINT_RCPU = 0x0200;

export type SoftintLevel = 0 | 1 | 2 | 3;
export const SOFTINT_COUNT = 4;

/** Thread names as NetBSD's softint_init gives them: softclk/N, softbio/N, softnet/N, softser/N. */
export const SOFTINT_NAMES = ["softclk", "softbio", "softnet", "softser"] as const;

export function softintIpl(level: SoftintLevel): Ipl {
  return (IPL_SOFTCLOCK + level) as Ipl;
}

export function softintPri(level: SoftintLevel): number {
  return PRI_SOFTCLOCK + level;
}

export function softintAcct(level: SoftintLevel): number {
  return ACCT_SOFTINT + level;
}

/** The level of softint_establish's flags, or an error naming the flags. */
export function softintLevel(flags: number, name: string): SoftintLevel {
  if (
    !Number.isInteger(flags) ||
    (flags & ~(SOFTINT_LVLMASK | SOFTINT_MPSAFE | SOFTINT_RCPU)) !== 0
  ) {
    throw new SimError(
      `softint_establish ${name}: flags ${String(flags)} are not a level (SOFTINT_CLOCK, SOFTINT_BIO, SOFTINT_NET, SOFTINT_SERIAL) optionally | SOFTINT_MPSAFE | SOFTINT_RCPU`,
    );
  }
  const level = flags & SOFTINT_LVLMASK;
  if (level >= SOFTINT_COUNT) {
    throw new SimError(
      `softint_establish ${name}: level ${level} does not exist; use SOFTINT_CLOCK, SOFTINT_BIO, SOFTINT_NET or SOFTINT_SERIAL`,
    );
  }
  return level as SoftintLevel;
}
