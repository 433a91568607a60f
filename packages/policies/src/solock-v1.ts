/*
 * solock-v1: the per-socket lock design of the seed thread's first patch
 * (mpsafe-netinet-solock-v1, kernel.md section 9; the patch itself was not
 * readable, this follows its description). Each socket has one adaptive
 * mutex, so_lock, for both socket buffers and its pcb; softnet_lock and
 * KERNEL_LOCK are gone from the TCP and UDP paths (ipintr, the user
 * requests and the timers take neither). sosend and soreceive keep so_lock
 * across the user copy (NetBSD drops it there), so a user thread copying
 * 128 KiB into so_snd holds the lock that tcp_input needs for every ACK.
 *
 * The input path looks the pcb up in a read section of the chosen scheme
 * (pserialize in the patch), takes so_lock inside it when it is free, and
 * otherwise leaves the section to wait for it (a section may not block),
 * then checks the pcb as the scheme requires (reclamation.ts). Changes to
 * the pcb table take one table mutex.
 */

import { type kmutex_t, MUTEX_DEFAULT, mutex_init, mutex_tryenter } from "@smpnet/core";
import {
  type NetLocking,
  type NetPolicy,
  type NetStack,
  NOTHING,
  type socket,
} from "@smpnet/netinet";
import { IPL_NONE } from "@smpnet/sim";
import { mutexPoint } from "./points.js";
import { pcb_reclamation, type ReclamationScheme } from "./reclamation.js";

/** solock-v1 with pcb lookups under `scheme`. */
export function solock_v1(scheme: ReclamationScheme): NetPolicy {
  return {
    name: "solock-v1",
    attach(stack: NetStack): NetLocking {
      const host = stack.host;
      const reader = pcb_reclamation(stack, scheme);
      const so_lock = (so: socket): kmutex_t => {
        so.lockState ??= mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
        return so.lockState as kmutex_t;
      };
      const solock = mutexPoint(so_lock);
      const tryLock = (so: socket) => mutex_tryenter(so_lock(so));
      return {
        input: NOTHING,
        pcb_lookup: { enter: reader.read_enter, exit: reader.read_exit },
        pcb_change: mutexPoint(mutex_init(host, "inpcbtable", MUTEX_DEFAULT, IPL_NONE)),
        so_input: {
          enter: (so) => reader.lockFound(so, tryLock, solock.enter),
          exit: solock.exit,
        },
        so_syscall: solock,
        usrreq: NOTHING,
        // held across the copy: the design's point
        copy: NOTHING,
        output: NOTHING,
        timer: solock,
      };
    },
  };
}
