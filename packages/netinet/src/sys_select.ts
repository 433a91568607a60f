/*
 * select(2)/poll(2) readiness, after NetBSD sys/kern/sys_select.c and
 * uipc_socket.c's sopoll: a socket is readable when its receive buffer holds
 * a record or at least sb_lowat bytes, or it can receive no more; writable
 * when its send buffer has sb_lowat bytes of space. A thread with nothing
 * ready records itself on each buffer's selinfo (selrecord) and sleeps
 * until sowakeup notifies (selnotify) or the timeout passes.
 *
 * The readiness test and the sleep happen in one instant, after the
 * recording, so a wakeup cannot fall between them.
 *
 * Each thread sleeps on a wait channel of its own, kept for its life (as
 * FreeBSD's seltd and NetBSD's per-LWP select state are): a fresh channel
 * per call would leave a sleep queue behind on every select.
 */

import { ksleep } from "@smpnet/core";
import {
  callpath,
  curlwp,
  type KernelGen,
  type Lwp,
  syscall_enter,
  syscall_exit,
  work,
} from "@smpnet/sim";
import { SS_CANTRCVMORE, SS_CANTSENDMORE, type sockbuf, type socket } from "./socketvar.js";
import type { NetStack } from "./stack.js";
import { sbspace } from "./uipc_socket2.js";

/** soreadable: a read would not block. */
export function soreadable(so: socket): boolean {
  const sb = so.so_rcv;
  return sb.sb_mb !== null || sb.sb_cc >= sb.sb_lowat || (so.so_state & SS_CANTRCVMORE) !== 0;
}

/** sowritable: a write of sb_lowat bytes would not block. */
export function sowritable(so: socket): boolean {
  const sb = so.so_snd;
  return sbspace(sb) >= sb.sb_lowat || (so.so_state & SS_CANTSENDMORE) !== 0;
}

/** Each thread's select wait channel. */
const selwait = new WeakMap<Lwp, object>();

function selchannel(l: Lwp): object {
  let token = selwait.get(l);
  if (token === undefined) {
    token = { selwait: l };
    selwait.set(l, token);
  }
  return token;
}

/** What a select call asks for and, on return, what is ready. */
export interface SelectSet {
  read: socket[];
  write: socket[];
}

function ready(want: SelectSet, out: SelectSet): number {
  out.read = want.read.filter(soreadable);
  out.write = want.write.filter(sowritable);
  return out.read.length + out.write.length;
}

/**
 * select(2): waits until a socket of `want` is ready or `timeoutNs` passes
 * (0: wait for ever; a negative timeout polls). Returns the ready sockets
 * (both lists empty on a timeout).
 */
export function* sys_select(
  stack: NetStack,
  want: SelectSet,
  timeoutNs: number,
): KernelGen<SelectSet> {
  syscall_enter();
  const path = callpath();
  path.push("sys_select");
  yield* work(stack.costs.syscallCycles);
  const out: SelectSet = { read: [], write: [] };
  if (ready(want, out) === 0 && timeoutNs >= 0) {
    const token = selchannel(curlwp());
    const sbs: sockbuf[] = [...want.read.map((s) => s.so_rcv), ...want.write.map((s) => s.so_snd)];
    for (const sb of sbs) sb.sel.add(token); // selrecord
    // the test and the sleep in one instant
    if (ready(want, out) === 0) {
      yield* ksleep(token, timeoutNs);
      ready(want, out);
    }
    for (const sb of sbs) sb.sel.delete(token);
  }
  path.pop();
  syscall_exit();
  return out;
}
