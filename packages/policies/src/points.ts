/*
 * Lock points the policies build from one lock: a mutex held from enter to
 * exit, and the inverse of a point (release at enter, take again at exit),
 * as sosend drops so_lock around the user copy.
 */

import { type kmutex_t, mutex_enter, mutex_exit } from "@smpnet/core";
import type { LockPoint } from "@smpnet/netinet";

/** A point that holds `lock`, or the lock `lock(a)` picks for its object. */
export function mutexPoint<A>(lock: kmutex_t | ((a: A) => kmutex_t)): LockPoint<A> {
  const pick = typeof lock === "function" ? lock : () => lock;
  // the mutex's own operations, not a generator around them
  return {
    enter: (a) => mutex_enter(pick(a)),
    exit: (a) => mutex_exit(pick(a)),
  };
}

/** Releases what `p` holds for the span of the point, and takes it again. */
export function dropped<A>(p: LockPoint<A>): LockPoint<A> {
  return { enter: p.exit, exit: p.enter };
}
