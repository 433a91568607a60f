/*
 * The per-CPU callout wheel of NetBSD sys/kern/kern_timeout.c (v1.50): a
 * hierarchical timing wheel, four wheels of 256 buckets ("Scheme 7" of
 * Varghese and Lauck). A callout due `rel` ticks from now goes into wheel 0
 * when rel <= 256, wheel 1 when rel <= 65536, and so on, in the bucket its
 * absolute due tick selects. Every tick, callout_hardclock moves the bucket
 * of the new tick (and at wheel boundaries the next wheel's) onto cc_todo;
 * callout_softclock then runs what is due there and puts back what is not.
 */

import type { kmutex_t } from "@smpnet/core";
import type { Cpu, KernelGen, Lwp } from "@smpnet/sim";

export const WHEELSIZE = 256;
export const WHEELBITS = 8;
export const WHEELMASK = 255;
export const BUCKETS = 4 * WHEELSIZE;

/** Callout flags, named as sys/callout.h names them. */
export const CALLOUT_MPSAFE = 0x0100;
export const CALLOUT_FLAGMASK = 0xff00;
export const CALLOUT_FIRED = 0x0001;
export const CALLOUT_PENDING = 0x0002;
export const CALLOUT_INVOKING = 0x0004;
export const CALLOUT_BOUND = 0x0008;

export type CalloutFunc<A> = (arg: A) => KernelGen<void>;

/** callout_t (callout_impl_t): one timeout. */
export class callout_t {
  c_flags: number;
  /** The tick of c_cpu's cc_ticks at which it is due. */
  c_time = 0;
  c_func: CalloutFunc<never> | null = null;
  c_arg: unknown = undefined;
  /** The bucket or cc_todo list it is on while pending. */
  c_list: callout_t[] | null = null;
  /** Times it was called, and when it was last due (ns). */
  fires = 0;
  dueNs = 0;

  constructor(
    readonly name: string,
    flags: number,
    public c_cpu: CalloutCpu,
  ) {
    this.c_flags = flags;
  }
}

/** struct callout_cpu. */
export class CalloutCpu {
  /** cc_ticks: hardclock ticks seen by this CPU. */
  cc_ticks = 0;
  readonly cc_wheel: callout_t[][] = Array.from({ length: BUCKETS }, () => []);
  readonly cc_todo: callout_t[] = [];
  cc_active: callout_t | null = null;
  cc_lwp: Lwp | null = null;
  cc_nwait = 0;
  /** evcnt "callout late/N": callouts run after the tick they were due. */
  cc_ev_late = 0;
  /** evcnt "callout wait/N": callout_halt had to wait. */
  cc_ev_block = 0;
  /** Lateness of every call, in ns (fire time minus due time). */
  readonly latenessNs: number[] = [];

  constructor(
    readonly cpu: Cpu,
    readonly cc_lock: kmutex_t,
  ) {}
}

function maskwheel(wheel: number, time: number): number {
  return (time >>> (wheel * WHEELBITS)) & WHEELMASK;
}

/** BUCKET(cc, rel, abs): where a callout `rel` ticks away, due at tick `abs`, waits. */
export function bucket(cc: CalloutCpu, rel: number, abs: number): callout_t[] {
  let wheel: number;
  if (rel <= 1 << WHEELBITS) wheel = 0;
  else if (rel <= 1 << (2 * WHEELBITS)) wheel = 1;
  else if (rel <= 1 << (3 * WHEELBITS)) wheel = 2;
  else wheel = 3;
  return cc.cc_wheel[maskwheel(wheel, abs) + wheel * WHEELSIZE]!;
}

/** CIRCQ_INSERT: appends `c` to `list`. */
export function circqInsert(c: callout_t, list: callout_t[]): void {
  list.push(c);
  c.c_list = list;
}

/** CIRCQ_REMOVE. */
export function circqRemove(c: callout_t): void {
  const list = c.c_list!;
  // in order, without splice's array of what it removed
  const i = list.indexOf(c);
  list.copyWithin(i, i + 1);
  list.length--;
  c.c_list = null;
}

/** MOVEBUCKET: appends the bucket of `time` in `wheel` to cc_todo. */
export function moveBucket(cc: CalloutCpu, wheel: number, time: number): void {
  const b = cc.cc_wheel[maskwheel(wheel, time) + wheel * WHEELSIZE]!;
  for (const c of b) circqInsert(c, cc.cc_todo);
  b.length = 0;
}

/** The per-tick part of callout_hardclock: advance and move due buckets. */
export function advanceWheel(cc: CalloutCpu): void {
  const ticks = ++cc.cc_ticks;
  moveBucket(cc, 0, ticks);
  if (maskwheel(0, ticks) === 0) {
    moveBucket(cc, 1, ticks);
    if (maskwheel(1, ticks) === 0) {
      moveBucket(cc, 2, ticks);
      if (maskwheel(2, ticks) === 0) moveBucket(cc, 3, ticks);
    }
  }
}
