/*
 * Interrupt priority levels, with NetBSD's machine-independent names
 * (sys/sys/intr.h via each port's intr.h). The numbers here are their order;
 * a port may fold several names onto one hardware level (evbmips folds the
 * soft levels in pairs: IPL_SOFTCLOCK = IPL_SOFTBIO, IPL_SOFTNET =
 * IPL_SOFTSERIAL), which a profile states in its `iplLevels`.
 */

export const IPL_NONE = 0;
export const IPL_SOFTCLOCK = 1;
export const IPL_SOFTBIO = 2;
export const IPL_SOFTNET = 3;
export const IPL_SOFTSERIAL = 4;
export const IPL_VM = 5;
export const IPL_SCHED = 6;
export const IPL_HIGH = 7;

export type Ipl = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export const IPL_NAMES = [
  "IPL_NONE",
  "IPL_SOFTCLOCK",
  "IPL_SOFTBIO",
  "IPL_SOFTNET",
  "IPL_SOFTSERIAL",
  "IPL_VM",
  "IPL_SCHED",
  "IPL_HIGH",
] as const;

export type IplName = (typeof IPL_NAMES)[number];

export const NIPL = IPL_NAMES.length;

export function isIpl(x: unknown): x is Ipl {
  return typeof x === "number" && Number.isInteger(x) && x >= 0 && x < NIPL;
}

export function iplName(ipl: Ipl): IplName {
  return IPL_NAMES[ipl]!;
}
