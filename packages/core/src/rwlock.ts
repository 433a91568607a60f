/*
 * Reader/writer locks, after NetBSD kern/kern_rwlock.c. The word holds
 * either a count of readers (times RW_READ_INCR) or the writing owner's
 * l_lid with RW_WRITE_LOCKED, plus RW_WRITE_WANTED while a writer waits.
 *
 * Writers are preferred: a reader does not enter while RW_WRITE_WANTED is
 * set, so a stream of readers cannot starve a writer. A waiter spins while a
 * writing owner runs on a CPU and otherwise blocks on the lock's turnstile
 * (readers and writers on separate queues). The last reader out wakes one
 * writer; a writer going out wakes one writer if any waits, else every
 * reader.
 */

import {
  atomic_cas,
  curlwp,
  type Host,
  type KernelGen,
  LSONPROC,
  type Lwp,
  nanotime,
  SimError,
  spin_until,
  wakeup,
  wakeup_one,
  work,
} from "@smpnet/sim";
import { backoff, RW_FASTPATH_CYCLES } from "./constants.js";
import { ksleep } from "./kernel-lock.js";
import { caller } from "./kfn.js";
import { Lock } from "./lock.js";
import { membar_release } from "./membar.js";

export const RW_READER = 0;
export const RW_WRITER = 1;
export type krw_t = typeof RW_READER | typeof RW_WRITER;

const RW_WRITE_WANTED = 2;
const RW_WRITE_LOCKED = 4;
const RW_READ_INCR = 8;
const RW_OWNER_SHIFT = 3;

export class krwlock_t extends Lock {
  /** Waiters on the turnstile's reader and writer queues. */
  readWaiters = 0;
  writeWaiters = 0;
  readonly readersQ: object = { q: "readers" };
  readonly writersQ: object = { q: "writers" };
  /** LWPs holding it as readers: for lockdebug and rw_lock_held. */
  readonly readers = new Set<Lwp>();

  constructor(host: Host, name: string) {
    super(host, name, "rwlock");
  }

  owner(): Lwp | null {
    const w = this.line.value as number;
    if ((w & RW_WRITE_LOCKED) === 0) return null;
    return this.host.lwps[(w >> RW_OWNER_SHIFT) - 1] ?? null;
  }
}

export function rw_init(host: Host, name: string): krwlock_t {
  return new krwlock_t(host, name);
}

export function rw_destroy(rw: krwlock_t): void {
  rw.core.debug?.destroying(rw);
  rw.destroyed = true;
}

/** True when the current LWP holds `rw` (as writer, or as one of the readers). */
export function rw_lock_held(rw: krwlock_t): boolean {
  const l = curlwp();
  return rw.owner() === l || rw.readers.has(l);
}

export function* rw_enter(rw: krwlock_t, op: krw_t): KernelGen {
  if (op !== RW_READER && op !== RW_WRITER) {
    throw new SimError(`rw_enter ${rw.name}: op must be RW_READER or RW_WRITER, got ${String(op)}`);
  }
  const l = curlwp();
  const st = rw.core;
  st.debug?.acquiring(rw, l, false);
  yield* work(RW_FASTPATH_CYCLES);
  const line = rw.line;
  const writer = op === RW_WRITER;
  for (;;) {
    const w = line.value as number;
    const free = writer
      ? (w & ~RW_WRITE_WANTED) === 0
      : (w & (RW_WRITE_LOCKED | RW_WRITE_WANTED)) === 0;
    if (free) {
      const next = writer
        ? (l.lid << RW_OWNER_SHIFT) | RW_WRITE_LOCKED | (rw.writeWaiters > 0 ? RW_WRITE_WANTED : 0)
        : w + RW_READ_INCR;
      if ((yield* atomic_cas(line, w, next)) === w) break;
      continue;
    }
    st.debug?.blocking(rw, l);
    const owner = rw.owner();
    if (owner !== null && owner.state === LSONPROC && owner.cpu.curlwp === owner) {
      const ownerCpu = owner.cpu;
      const ns = yield* spin_until(
        [line, ownerCpu.curlwpLine],
        () => line.value !== w || ownerCpu.curlwp !== owner,
        backoff(rw),
      );
      st.stat?.record("RW lock spin", rw.name, caller(), ns);
      continue;
    }
    if (writer && (w & RW_WRITE_WANTED) === 0) {
      if ((yield* atomic_cas(line, w, w | RW_WRITE_WANTED)) !== w) continue;
    }
    // turnstile interlock: re-read the word and sleep in the same instant
    const now = line.value as number;
    const stillHeld = writer
      ? (now & ~RW_WRITE_WANTED) !== 0
      : (now & (RW_WRITE_LOCKED | RW_WRITE_WANTED)) !== 0;
    if (!stillHeld) continue;
    const t0 = nanotime();
    if (writer) {
      rw.writeWaiters++;
      yield* ksleep(rw.writersQ);
      rw.writeWaiters--;
    } else {
      rw.readWaiters++;
      yield* ksleep(rw.readersQ);
      rw.readWaiters--;
    }
    st.stat?.record("RW lock sleep", rw.name, caller(), nanotime() - t0);
  }
  st.debug?.unblocked(l);
  if (!writer) rw.readers.add(l);
  st.debug?.acquired(rw, l);
}

export function* rw_exit(rw: krwlock_t): KernelGen {
  const l = curlwp();
  const st = rw.core;
  const writer = rw.owner() === l;
  const holds = writer || rw.readers.has(l);
  if (st.debug && !st.debug.releasing(rw, l, holds)) return;
  if (!holds) throw new SimError(`rw_exit: ${l} releases ${rw.name}, which it does not hold`);
  yield* work(RW_FASTPATH_CYCLES);
  yield* membar_release();
  const line = rw.line;
  if (writer) {
    const next = rw.writeWaiters > 0 ? RW_WRITE_WANTED : 0;
    yield* atomic_cas(line, line.value, next);
    if (rw.writeWaiters > 0) yield* wakeup_one(rw.writersQ);
    else if (rw.readWaiters > 0) yield* wakeup(rw.readersQ);
    return;
  }
  rw.readers.delete(l);
  for (;;) {
    const w = line.value as number;
    if ((yield* atomic_cas(line, w, w - RW_READ_INCR)) !== w) continue;
    if (w - RW_READ_INCR < RW_READ_INCR && rw.writeWaiters > 0) yield* wakeup_one(rw.writersQ);
    return;
  }
}
