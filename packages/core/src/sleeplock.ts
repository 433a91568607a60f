/*
 * A lock that may be held across a sleep, as sblock(9) serialises the
 * senders on a socket buffer (NetBSD kern/uipc_socket2.c sblock/sbunlock):
 * whoever finds it taken sleeps until the holder lets go, and the holder may
 * sleep (copying from user space, waiting for buffer space) while it holds
 * it. There is no spinning.
 */

import {
  after,
  atomic_cas,
  curlwp,
  done,
  type Host,
  type KernelGen,
  type KernelOp,
  type Lwp,
  nanotime,
  paid,
  paidValue,
  SimError,
  store,
  wakeup,
  work,
} from "@smpnet/sim";
import { SLEEPLOCK_FASTPATH_CYCLES } from "./constants.js";
import { ksleep } from "./kernel-lock.js";
import { Lock } from "./lock.js";
import { membar_release } from "./membar.js";

export class sleeplock_t extends Lock {
  waiters = 0;
  /** Total time LWPs slept waiting for it. */
  sleptNs = 0;

  constructor(host: Host, name: string) {
    super(host, name, "sleeplock");
  }

  owner(): Lwp | null {
    const w = this.line.value as number;
    return w === 0 ? null : (this.host.lwps[w - 1] ?? null);
  }
}

export function sleeplock_init(host: Host, name: string): sleeplock_t {
  return new sleeplock_t(host, name);
}

// Plain on the fast path, as mutex_enter and mutex_exit are (sim's ops.ts,
// "Plain kernel helpers"): an uncontended lock costs no generator.
export function sleeplock_enter(lk: sleeplock_t): KernelOp<void> {
  const l = curlwp();
  lk.core.debug?.acquiring(lk, l, false);
  const o = work(SLEEPLOCK_FASTPATH_CYCLES);
  return paid(o) ? sleeplock_try(lk, l) : after(o, sleeplock_try, lk, l);
}

function sleeplock_try(lk: sleeplock_t, l: Lwp): KernelOp<void> {
  const o = atomic_cas(lk.line, 0, l.lid);
  if (!paid(o)) return sleeplock_enter_slow(lk, l, o, 0);
  const old = paidValue();
  if (old !== 0) return sleeplock_enter_slow(lk, l, null, old);
  lk.core.debug?.acquired(lk, l);
  return done(undefined);
}

/** sleeplock_enter from its CAS on (`cas` pending, or its result `old`): sleeps while the lock is taken. */
function* sleeplock_enter_slow(
  lk: sleeplock_t,
  l: Lwp,
  cas: KernelOp<unknown> | null,
  old: unknown,
): KernelGen {
  const st = lk.core;
  if (cas !== null) old = yield* cas;
  while (old !== 0) {
    if (lk.line.value !== 0) {
      st.debug?.blocking(lk, l);
      lk.waiters++;
      const t0 = nanotime();
      yield* ksleep(lk);
      lk.sleptNs += nanotime() - t0;
      lk.waiters--;
    }
    old = yield* atomic_cas(lk.line, 0, l.lid);
  }
  st.debug?.unblocked(l);
  st.debug?.acquired(lk, l);
}

export function sleeplock_exit(lk: sleeplock_t): KernelOp<void> {
  const l = curlwp();
  const st = lk.core;
  const holds = lk.owner() === l;
  if (st.debug && !st.debug.releasing(lk, l, holds)) return done(undefined);
  if (!holds)
    throw new SimError(`sleeplock_exit: ${l} releases ${lk.name}, which it does not hold`);
  const o = membar_release();
  return paid(o) ? sleeplock_release(lk) : after(o, sleeplock_release, lk);
}

function sleeplock_release(lk: sleeplock_t): KernelOp<void> {
  const o = store(lk.line, 0);
  return paid(o) ? sleeplock_wake(lk) : after(o, sleeplock_wake, lk);
}

function sleeplock_wake(lk: sleeplock_t): KernelOp<void> {
  return lk.waiters > 0 ? (wakeup(lk) as KernelOp<unknown> as KernelOp<void>) : done(undefined);
}
