/*
 * Turnstiles, after NetBSD kern/kern_turnstile.c (turnstile_block,
 * turnstile_lendpri, turnstile_unlendpri, turnstile_wakeup): where LWPs
 * wait for an adaptive mutex or an rwlock, in two queues (readers and
 * writers), each sorted by priority and FIFO among equals
 * (SOBJ_SLEEPQ_SORTED).
 *
 * A waiter enters the queue before it publishes the lock's waiters bit and
 * stays there until a releaser takes it out (turnstile_wakeup); the
 * releaser may hand it the lock in the same step. In NetBSD the turnstile
 * chain lock orders these steps; here a waiter that a releaser took out
 * before it could sleep sees so and does not sleep.
 *
 * Priority lending: a waiter that blocks lends its priority to the owner
 * when the owner's is lower, and on along the chain while the owner is
 * itself blocked on another lock. The turnstile remembers whom it lent to
 * (ts_inheritor) and how much (ts_eprio); the owner keeps its lenders
 * (l_pi_lenders). The releaser takes that turnstile's loan back when it
 * wakes the queue and keeps the highest of the others. Where the borrower
 * waits decides how it is re-sorted (Host.lwp_lendpri): a preempted owner
 * moves up its run queue, so a softint blocked on a lock held by a
 * preempted thread lifts that thread above everything below the softint,
 * softclock included.
 *
 * Left out: the hash chains and their spin locks, l_kpribase.
 */

import { curcpu, curlwp, type KernelGen, type Lwp, sleep, wakeup_one } from "@smpnet/sim";
import { KERNEL_LOCK, KERNEL_UNLOCK_ALL } from "./kernel-lock.js";
import type { Lock } from "./lock.js";
import { coreState } from "./state.js";

export const TS_READER_Q = 0;
export const TS_WRITER_Q = 1;
export type TsQueue = typeof TS_READER_Q | typeof TS_WRITER_Q;

interface Turnstile {
  /** ts_sleepq: the waiters of each queue, highest priority first. */
  readonly q: [Lwp[], Lwp[]];
  /** ts_inheritor: the owner this turnstile lent to, or null. */
  inheritor: Lwp | null;
  /** ts_eprio: the priority lent. */
  eprio: number;
}

const turnstiles = new WeakMap<Lock, Turnstile>();
/** l_pi_lenders: the turnstiles that lent to each LWP. */
const lenders = new WeakMap<Lwp, Turnstile[]>();
/** The lock each queued LWP waits for (l_wchan, read through sobj_owner). */
const waitsFor = new WeakMap<Lwp, Lock>();
/** Each LWP sleeps on a channel of its own, so a wakeup finds exactly it. */
const wchans = new WeakMap<Lwp, object>();

function turnstileOf(lock: Lock): Turnstile {
  let ts = turnstiles.get(lock);
  if (ts === undefined) {
    ts = { q: [[], []], inheritor: null, eprio: -1 };
    turnstiles.set(lock, ts);
  }
  return ts;
}

function wchanOf(l: Lwp): object {
  let w = wchans.get(l);
  if (w === undefined) {
    w = { tstile: l.name };
    wchans.set(l, w);
  }
  return w;
}

/** TS_WAITERS: how many wait in queue `q` of `lock`'s turnstile. */
export function TS_WAITERS(lock: Lock, q: TsQueue): number {
  return turnstiles.get(lock)?.q[q].length ?? 0;
}

/** TS_FIRST: the waiter of queue `q` that a hand-off goes to, or null. */
export function TS_FIRST(lock: Lock, q: TsQueue): Lwp | null {
  return turnstiles.get(lock)?.q[q][0] ?? null;
}

/** True while the current LWP waits in a queue of `lock` (no releaser took it out yet). */
export function turnstile_queued(lock: Lock): boolean {
  return waitsFor.get(curlwp()) === lock;
}

/** Puts `l` into `list` after every waiter of its priority or higher (sleepq_insert). */
function insertSorted(list: Lwp[], l: Lwp): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.pri < l.pri) i--;
  list.splice(i, 0, l);
}

/** The current LWP joins queue `q` of `lock` (sleepq_enter, ts_waiters++). */
export function turnstile_enter(lock: Lock, q: TsQueue): void {
  const l = curlwp();
  insertSorted(turnstileOf(lock).q[q], l);
  waitsFor.set(l, lock);
}

/** The current LWP leaves the queue it joined without sleeping (turnstile_exit). */
export function turnstile_exit(lock: Lock): void {
  const l = curlwp();
  if (waitsFor.get(l) !== lock) return;
  const ts = turnstiles.get(lock)!;
  for (const list of ts.q) {
    const i = list.indexOf(l);
    if (i >= 0) list.splice(i, 1);
  }
  waitsFor.delete(l);
}

/**
 * turnstile_block: lend the current LWP's priority along the chain of
 * owners, then sleep until a releaser takes it out of the queue. The big
 * lock is dropped for the sleep and taken back after, as sleepq_block does.
 */
export function* turnstile_block(lock: Lock): KernelGen {
  const l = curlwp();
  if (waitsFor.get(l) !== lock) return;
  turnstile_lendpri(l, lock);
  coreState(l.host).debug?.sleeping(l, curcpu());
  const n = yield* KERNEL_UNLOCK_ALL();
  // test and sleep in one instant: a releaser that came first took us out
  if (waitsFor.get(l) === lock) yield* sleep(wchanOf(l));
  if (n > 0) yield* KERNEL_LOCK(n);
}

function turnstile_lendpri(cur: Lwp, first: Lock): void {
  const prio = cur.pri;
  let lock: Lock | undefined = first;
  // each step moves to the next owner; a cycle is a deadlock, which lockdebug reports
  for (let steps = 0; lock !== undefined && steps < 64; steps++) {
    const owner = lock.owner();
    if (owner === null || owner === cur || prio <= owner.pri) return;
    const ts = turnstileOf(lock);
    const before = owner.pri;
    if (ts.inheritor === null) {
      ts.inheritor = owner;
      ts.eprio = prio;
      let list = lenders.get(owner);
      if (list === undefined) {
        list = [];
        lenders.set(owner, list);
      }
      list.push(ts);
      owner.host.lwp_lendpri(owner, prio);
    } else if (prio > ts.eprio) {
      ts.eprio = prio;
      owner.host.lwp_lendpri(owner, prio);
    }
    lock = waitsFor.get(owner);
    // a borrower queued on a turnstile itself moves up that queue (sleepq_lendpri)
    if (lock !== undefined && owner.pri !== before) {
      for (const list of turnstileOf(lock).q) {
        const i = list.indexOf(owner);
        if (i >= 0) insertSorted(list, list.splice(i, 1)[0]!);
      }
    }
  }
}

/**
 * turnstile_wakeup: the releaser takes back what the turnstile lent it,
 * then takes `count` waiters of queue `q` out, first first (or just `nl`),
 * and wakes them.
 */
export function* turnstile_wakeup(
  lock: Lock,
  q: TsQueue,
  count: number,
  nl: Lwp | null,
): KernelGen {
  const ts = turnstileOf(lock);
  if (ts.inheritor !== null) turnstile_unlendpri(ts);
  const list = ts.q[q];
  const woken = nl !== null ? list.splice(list.indexOf(nl), 1) : list.splice(0, count);
  for (const l of woken) waitsFor.delete(l);
  for (const l of woken) yield* wakeup_one(wchanOf(l));
}

function turnstile_unlendpri(ts: Turnstile): void {
  const l = ts.inheritor!;
  ts.inheritor = null;
  const list = lenders.get(l)!;
  list.splice(list.indexOf(ts), 1);
  let prio = -1;
  for (const other of list) if (other.eprio > prio) prio = other.eprio;
  l.host.lwp_lendpri(l, prio);
}
