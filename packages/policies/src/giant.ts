/*
 * giant: NetBSD's netinet as it is today, without NET_MPSAFE
 * (kernel.md section 4):
 * - ipintr wraps its loop in SOFTNET_KERNEL_LOCK_UNLESS_NET_MPSAFE:
 *   softnet_lock, then KERNEL_LOCK (ip_input.c);
 * - every socket's so_lock is softnet_lock (sosetlock, uipc_socket2.c), so
 *   a system call's solock takes the one global mutex, and the input path,
 *   which holds it already, takes nothing more for the socket or the pcbs;
 * - each user request runs under KERNEL_LOCK (PR_WRAP_USRREQS in
 *   sys/protosw.h, used by udp_usrreq.c and tcp_usrreq.c);
 * - sosend and soreceive drop so_lock around the user copy (uipc_socket.c);
 * - TCP's timers take softnet_lock, then KERNEL_LOCK (tcp_timer.c).
 */

import {
  KERNEL_LOCK,
  KERNEL_UNLOCK_ONE,
  type kmutex_t,
  MUTEX_DEFAULT,
  mutex_enter,
  mutex_exit,
  mutex_init,
} from "@smpnet/core";
import {
  type LockPoint,
  type NetLocking,
  type NetPolicy,
  type NetStack,
  NOTHING,
} from "@smpnet/netinet";
import { after, IPL_NONE, type KernelOp, paid } from "@smpnet/sim";
import { dropped, mutexPoint } from "./points.js";

function softnetAndBiglock(lock: kmutex_t): LockPoint<unknown> {
  // plain: two locks taken at once cost no generator
  const biglock = (): KernelOp<void> => KERNEL_LOCK(1);
  const softnet_exit = (): KernelOp<void> => mutex_exit(lock);
  return {
    enter() {
      const o = mutex_enter(lock);
      return paid(o) ? biglock() : after(o, biglock);
    },
    exit() {
      const o = KERNEL_UNLOCK_ONE();
      return paid(o) ? softnet_exit() : after(o, softnet_exit);
    },
  };
}

export const giant: NetPolicy = {
  name: "giant",
  attach(stack: NetStack): NetLocking {
    const softnet_lock = mutex_init(stack.host, "softnet_lock", MUTEX_DEFAULT, IPL_NONE);
    const solock = mutexPoint<unknown>(softnet_lock);
    return {
      input: softnetAndBiglock(softnet_lock),
      pcb_lookup: NOTHING,
      pcb_change: NOTHING,
      so_input: NOTHING,
      so_syscall: solock,
      usrreq: { enter: () => KERNEL_LOCK(1), exit: KERNEL_UNLOCK_ONE },
      // sounlock before the copy, solock after
      copy: dropped(solock),
      output: NOTHING,
      timer: softnetAndBiglock(softnet_lock),
    };
  },
};
