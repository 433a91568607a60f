/*
 * KERNEL_LOCK: the giant lock, after NetBSD kern/kern_lock.c. One per host,
 * a spinning lock whose word lives on a cache line; recursive per LWP
 * (l_blcnt). An LWP gives up all its holds when it sleeps and takes the same
 * number back when it runs again (ksleep here, sleepq_block there).
 *
 * Kernel preemption is disabled from the first attempt until the release,
 * so CPUs spinning on the lock never wait for a holder that is off its CPU;
 * interrupts still come in.
 */

import {
  atomic_cas,
  curcpu,
  curlwp,
  type Host,
  type KernelGen,
  kpreempt_disable,
  kpreempt_enable,
  type Lwp,
  SimError,
  sleep,
  spin_until,
  store,
  work,
} from "@smpnet/sim";
import { backoff, MUTEX_FASTPATH_CYCLES } from "./constants.js";
import { caller } from "./kfn.js";
import { Lock } from "./lock.js";
import { membar_release } from "./membar.js";
import { coreState } from "./state.js";

class KernelLock extends Lock {
  holder: Lwp | null = null;

  constructor(host: Host) {
    super(host, "kernel_lock", "kernel_lock");
  }

  owner(): Lwp | null {
    return this.holder;
  }
}

const kernelLocks = new WeakMap<Host, KernelLock>();

/** The host's kernel_lock. */
export function kernel_lock(host: Host): Lock {
  let k = kernelLocks.get(host);
  if (k === undefined) {
    k = new KernelLock(host);
    kernelLocks.set(host, k);
  }
  return k;
}

/** Times the current LWP holds the kernel lock (l_blcnt). */
export function kernel_lock_held(): number {
  const l = curlwp();
  return coreState(l.host).biglocks.get(l) ?? 0;
}

/** KERNEL_LOCK(n): takes the giant lock n more times. */
export function* KERNEL_LOCK(n = 1): KernelGen {
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new SimError(`KERNEL_LOCK: n must be a positive integer, got ${n}`);
  }
  const l = curlwp();
  const kl = kernel_lock(l.host) as KernelLock;
  const st = kl.core;
  const count = st.biglocks.get(l) ?? 0;
  if (count > 0) {
    st.biglocks.set(l, count + n);
    return;
  }
  st.debug?.acquiring(kl, l, true);
  // no preemption from the attempt on: a holder switched out between taking
  // the word and running would leave every other CPU spinning on it
  kpreempt_disable();
  yield* work(MUTEX_FASTPATH_CYCLES);
  while ((yield* atomic_cas(kl.line, 0, l.lid)) !== 0) {
    st.debug?.blocking(kl, l);
    const ns = yield* spin_until([kl.line], () => kl.line.value === 0, backoff(kl));
    st.stat?.record("Kernel lock spin", kl.name, caller(), ns);
  }
  kl.holder = l;
  st.biglocks.set(l, n);
  st.debug?.acquired(kl, l);
}

/** KERNEL_UNLOCK_ONE: drops one hold. */
export function* KERNEL_UNLOCK_ONE(): KernelGen {
  yield* kernel_unlock(1);
}

/** KERNEL_UNLOCK_ALL: drops every hold; returns how many there were. */
export function* KERNEL_UNLOCK_ALL(): KernelGen<number> {
  const n = kernel_lock_held();
  if (n > 0) yield* kernel_unlock(n);
  return n;
}

function* kernel_unlock(n: number): KernelGen {
  const l = curlwp();
  const kl = kernel_lock(l.host) as KernelLock;
  const st = kl.core;
  const count = st.biglocks.get(l) ?? 0;
  if (count < n) {
    if (st.debug && !st.debug.releasing(kl, l, false)) return;
    throw new SimError(`KERNEL_UNLOCK: ${l} holds the kernel lock ${count} times, releases ${n}`);
  }
  if (count > n) {
    st.biglocks.set(l, count - n);
    return;
  }
  st.debug?.releasing(kl, l, true);
  st.biglocks.delete(l);
  kl.holder = null;
  yield* membar_release();
  yield* store(kl.line, 0);
  yield* kpreempt_enable();
}

/**
 * Sleep on `wchan` as every sleep in the kernel does (sleepq_block): drop the
 * kernel lock, sleep, take it back as many times. Lockdebug checks here that
 * no spin mutex is held.
 */
export function* ksleep(wchan: unknown, timeoutNs = 0): KernelGen<boolean> {
  const l = curlwp();
  const st = coreState(l.host);
  st.debug?.sleeping(l, curcpu());
  const n = yield* KERNEL_UNLOCK_ALL();
  const woken = yield* sleep(wchan, timeoutNs);
  if (n > 0) yield* KERNEL_LOCK(n);
  return woken;
}
