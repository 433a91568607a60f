/*
 * Scheduler priority bands, as NetBSD's sys/sys/param.h (netbsd-10) defines
 * them; higher runs first. See shared/reference/kernel.md section 1.
 */

export const PRI_COUNT = 224;
/** The idle LWP's priority: below every runnable LWP. */
export const PRI_IDLE = -1;
/** Timesharing user threads: 0..63. */
export const PRI_USER = 0;
export const MAXPRI_USER = 63;
/** Kernel threads that sleep in the kernel: 64..95. */
export const PRI_KERNEL = 64;
export const MAXPRI_KERNEL = 95;
/** Kernel threads (kthread_create): 96..127. */
export const PRI_KTHREAD = 96;
export const MAXPRI_KTHREAD = 127;
/** Real-time user threads: 128..191. */
export const PRI_USER_RT = 128;
export const MAXPRI_USER_RT = 191;
/** Real-time kernel threads, where the softint LWPs live: 192..223. */
export const PRI_KERNEL_RT = 192;
export const MAXPRI_KERNEL_RT = 223;

export const PRI_SOFTCLOCK = 220;
export const PRI_SOFTBIO = 221;
export const PRI_SOFTNET = 222;
export const PRI_SOFTSERIAL = 223;

export function isPriority(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x >= 0 && x < PRI_COUNT;
}
