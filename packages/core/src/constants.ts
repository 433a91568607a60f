/*
 * Costs and tunables of the lock code itself; what the hardware charges
 * (atomics, line transfers, fences) comes from the profile.
 */

/** SPINLOCK_BACKOFF_MIN and _MAX: NetBSD sys/sys/lock.h (4 and 128 iterations). */
export const SPINLOCK_BACKOFF_MIN = 4;
export const SPINLOCK_BACKOFF_MAX = 128;

/**
 * Cycles of one SPINLOCK_BACKOFF_HOOK iteration: estimate. It is nullop() on
 * most ports and `pause` on x86, whose latency varies by generation (about 10
 * to 140 cycles); one cycle per iteration keeps spinning cheap to re-test.
 */
export const BACKOFF_HOOK_CYCLES = 1;

/**
 * Instructions around the atomic operation on the fast path of mutex_enter
 * and mutex_exit (owner checks, the branch to the slow path): estimate, from
 * the size of the MD stubs (e.g. NetBSD sys/arch/mips/mips/lock_stubs_llsc.S).
 */
export const MUTEX_FASTPATH_CYCLES = 10;

/** The same for rw_enter / rw_exit (the read count arithmetic): estimate. */
export const RW_FASTPATH_CYCLES = 15;

/** Instructions of a sleep lock (sblock) fast path: estimate. */
export const SLEEPLOCK_FASTPATH_CYCLES = 15;

/** How a mutex or rwlock spins: SPINLOCK_BACKOFF's doubling from MIN to MAX. */
export function backoff(tag: unknown) {
  return {
    iterCycles: SPINLOCK_BACKOFF_MIN * BACKOFF_HOOK_CYCLES,
    backoffMaxCycles: SPINLOCK_BACKOFF_MAX * BACKOFF_HOOK_CYCLES,
    tag,
  };
}

/**
 * How _kernel_lock spins (kern_lock.c v1.182): one SPINLOCK_BACKOFF_HOOK and
 * SPINLOCK_SPIN_HOOK per test of the word, no doubling.
 */
export function kernelLockSpin(tag: unknown) {
  return { iterCycles: BACKOFF_HOOK_CYCLES, tag };
}
