/*
 * A lock that may be held across a sleep, as sblock(9) serialises the
 * senders on a socket buffer (NetBSD kern/uipc_socket2.c sblock/sbunlock):
 * whoever finds it taken sleeps until the holder lets go, and the holder may
 * sleep (copying from user space, waiting for buffer space) while it holds
 * it. There is no spinning.
 */

import {
  atomic_cas,
  curlwp,
  type Host,
  type KernelGen,
  type Lwp,
  nanotime,
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

export function* sleeplock_enter(lk: sleeplock_t): KernelGen {
  const l = curlwp();
  const st = lk.core;
  st.debug?.acquiring(lk, l, false);
  yield* work(SLEEPLOCK_FASTPATH_CYCLES);
  while ((yield* atomic_cas(lk.line, 0, l.lid)) !== 0) {
    if (lk.line.value === 0) continue;
    st.debug?.blocking(lk, l);
    lk.waiters++;
    const t0 = nanotime();
    yield* ksleep(lk);
    lk.sleptNs += nanotime() - t0;
    lk.waiters--;
  }
  st.debug?.unblocked(l);
  st.debug?.acquired(lk, l);
}

export function* sleeplock_exit(lk: sleeplock_t): KernelGen {
  const l = curlwp();
  const st = lk.core;
  const holds = lk.owner() === l;
  if (st.debug && !st.debug.releasing(lk, l, holds)) return;
  if (!holds)
    throw new SimError(`sleeplock_exit: ${l} releases ${lk.name}, which it does not hold`);
  yield* membar_release();
  yield* store(lk.line, 0);
  if (lk.waiters > 0) yield* wakeup(lk);
}
