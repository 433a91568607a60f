/*
 * pserialize-batched: the change to pserialize_perform that NetBSD's review
 * of smr(9) asked about (kernel.md section 10). subr_pserialize.c v1.17
 * held its global lock across xc_barrier, and v1.23 dropped the lock but
 * still issues one cross-call per caller, queued one at a time in
 * xc_highpri: either way every caller pays its own. Here a lock is dropped
 * while the cross-call is in flight,
 * and every caller that arrives meanwhile waits for the next one and shares
 * it: one cross-call per wave of callers instead of one per caller.
 *
 * Correctness: a caller's read sections of interest are those open when it
 * arrived, so it may return only after a cross-call that *started* after it
 * arrived has completed (one in flight at its arrival may have passed its
 * CPU already). Cross-calls are numbered as they start; a caller takes as
 * its ticket the number of the next one to start and returns once that one
 * has completed. Only one is in flight at a time, so they complete in order.
 */
import { curcpu, IPL_NONE, type KernelGen, SimError, wakeup } from "@smpnet/sim";
import { ksleep } from "./kernel-lock.js";
import { type kmutex_t, MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } from "./mutex.js";
import { type pserialize_t, xc_barrier_highpri } from "./pserialize.js";

interface BatchState {
  readonly lock: kmutex_t;
  /** Cross-calls started so far; the one in flight, if any, is number `started`. */
  started: number;
  completed: number;
  inflight: boolean;
}

const states = new WeakMap<pserialize_t, BatchState>();

function batchState(psz: pserialize_t): BatchState {
  let b = states.get(psz);
  if (b === undefined) {
    b = {
      lock: mutex_init(psz.host, "pserialize.batch", MUTEX_DEFAULT, IPL_NONE),
      started: 0,
      completed: 0,
      inflight: false,
    };
    states.set(psz, b);
  }
  return b;
}

/**
 * pserialize_perform, batched: wait until every CPU has left the read
 * sections it was in when this began, sharing the cross-call with every
 * caller that arrived while the previous one was in flight.
 */
export function* pserialize_perform_batched(psz: pserialize_t): KernelGen {
  const cpu = curcpu();
  if (cpu.curctx.lwp === null) {
    throw new SimError(
      "pserialize_perform_batched: called from an interrupt handler; call it from a thread",
    );
  }
  if (psz.cpus[cpu.index]!.spl.length > 0) {
    throw new SimError(
      "pserialize_perform_batched: called inside a read section, which would wait for itself; exit the section first",
    );
  }
  if (psz.host.cpus.length === 1) return;
  const b = batchState(psz);
  yield* mutex_enter(b.lock);
  const ticket = b.started + 1;
  let issued = false;
  while (b.completed < ticket) {
    if (!b.inflight) {
      b.inflight = true;
      const mine = ++b.started;
      issued = true;
      yield* mutex_exit(b.lock);
      yield* xc_barrier_highpri(psz);
      yield* mutex_enter(b.lock);
      b.inflight = false;
      b.completed = mine;
      // cv_broadcast: the callers of this wave return, the next wave's first issues
      yield* wakeup(b);
    } else {
      yield* mutex_exit(b.lock);
      // test and sleep in one instant: the broadcast comes with inflight cleared
      if (b.inflight) yield* ksleep(b);
      yield* mutex_enter(b.lock);
    }
  }
  if (!issued) psz.stats.shared++;
  yield* mutex_exit(b.lock);
}
