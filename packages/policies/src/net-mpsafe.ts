/*
 * net-mpsafe: NetBSD's netinet with `options NET_MPSAFE` (kernel.md section
 * 4), the first step of the seed thread: KERNEL_LOCK_UNLESS_NET_MPSAFE
 * expands to nothing, so the big lock is gone from ipintr, from the user
 * requests (PR_WRAP_USRREQS: tcp_usr_send and its tcp_output) and from
 * TCP's timers, which all call tcp_output. softnet_lock stays: in_proto.c
 * wraps tcp_input and udp_input in it (PR_WRAP_INPUT) and every socket's
 * so_lock is still softnet_lock (sosetlock), so it serialises the stack
 * as before.
 *
 * Left out: PR_WRAP_INPUT takes softnet_lock around each packet's
 * pr_input; here it is held for the input pass over ip_pktq, as giant's
 * ipintr holds it (the same CPU retakes it per packet at no contention).
 */

import { MUTEX_DEFAULT, mutex_init } from "@smpnet/core";
import { type NetLocking, type NetPolicy, type NetStack, NOTHING } from "@smpnet/netinet";
import { IPL_NONE } from "@smpnet/sim";
import { dropped, mutexPoint } from "./points.js";

export const net_mpsafe: NetPolicy = {
  name: "net-mpsafe",
  attach(stack: NetStack): NetLocking {
    const softnet_lock = mutex_init(stack.host, "softnet_lock", MUTEX_DEFAULT, IPL_NONE);
    const softnet = mutexPoint<unknown>(softnet_lock);
    return {
      input: softnet,
      pcb_lookup: NOTHING,
      pcb_change: NOTHING,
      so_input: NOTHING,
      so_syscall: softnet,
      usrreq: NOTHING,
      // sounlock before the copy, solock after, as giant
      copy: dropped(softnet),
      output: NOTHING,
      timer: softnet,
    };
  },
};
