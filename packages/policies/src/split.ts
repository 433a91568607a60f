/*
 * split: FreeBSD's socket and inpcb locking (kernel.md sections 5, 6 and
 * 10; sys/kern/uipc_socket.c sosend_generic and soreceive_generic,
 * sys/netinet/tcp_usrreq.c, in_pcb.c inp_smr_lock):
 *
 * - each socket buffer has its own mutex, SOCKBUF_LOCK(so_snd) and
 *   SOCKBUF_LOCK(so_rcv); a system call holds the one of the direction
 *   whose I/O lock (sblock, SOCK_IO_SEND_LOCK / SOCK_IO_RECV_LOCK) it holds,
 *   and any other call so_rcv's, standing in for SOCK_LOCK (FreeBSD's
 *   so_lock is a mutex of its own; sharing so_rcv's keeps soclose's flush
 *   of so_rcv apart from tcp_input's append, as netinet has one so_syscall
 *   point for both);
 * - the user copy runs with no mutex held (m_uiotombuf outside the sockbuf
 *   lock), only the sleepable sblock, which netinet takes for every sender
 *   and reader; sosend_generic copies all the room so_snd has and calls
 *   pr_send once (sosend "space"), where NetBSD's sosend goes per cluster;
 * - the pcb has a reader/writer lock: the user requests and the timers take
 *   INP_WLOCK, after dropping the sockbuf mutex (sosend releases it before
 *   pr_send, soreceive before pr_rcvd); tcp_input takes INP_WLOCK and
 *   udp_input INP_RLOCK on the pcb it looked up, then so_rcv's mutex for
 *   the append;
 * - the driver's receive path enters the network epoch once for the whole
 *   pass (NET_EPOCH_ENTER, a preemptible epoch), and pcb lookups run in a
 *   read section of the chosen scheme, then take the pcb's lock and check
 *   that it was not freed meanwhile (inp_smr_lock; reclamation.ts);
 * - the pcb hash changes under one mutex (INP_HASH_WLOCK).
 *
 * Left out: FreeBSD's tcp_input takes so_snd's mutex around the sbdrop of
 * acknowledged data and so_rcv's only around the append; netinet has no lock
 * point there, so so_rcv's is held for the segment's whole processing and
 * so_snd is covered by INP_WLOCK, which every writer of so_snd holds.
 */

import {
  epoch_alloc,
  epoch_enter_preempt,
  epoch_exit_preempt,
  type kmutex_t,
  type krw_t,
  type krwlock_t,
  MUTEX_DEFAULT,
  mutex_enter,
  mutex_exit,
  mutex_init,
  RW_READER,
  RW_WRITER,
  rw_enter,
  rw_exit,
  rw_init,
} from "@smpnet/core";
import {
  type LockPoint,
  type NetLocking,
  type NetPolicy,
  type NetStack,
  NOTHING,
  SOCK_DGRAM,
  type socket,
} from "@smpnet/netinet";
import { after, curlwp, done, IPL_NONE, type KernelOp, type Lwp, paid } from "@smpnet/sim";
import { mutexPoint } from "./points.js";
import { pcb_reclamation, type ReclamationScheme } from "./reclamation.js";

interface SplitLocks {
  so_snd: kmutex_t;
  so_rcv: kmutex_t;
  inp: krwlock_t;
}

/** split with pcb lookups under `scheme`. */
export function split(scheme: ReclamationScheme): NetPolicy {
  return {
    name: "split",
    sosend: "space",
    attach(stack: NetStack): NetLocking {
      const host = stack.host;
      const net_epoch = epoch_alloc(host, "net_epoch_preempt", true);
      const reader = pcb_reclamation(stack, scheme, net_epoch);
      const locks = (so: socket): SplitLocks => {
        so.lockState ??= {
          so_snd: mutex_init(host, "so_snd", MUTEX_DEFAULT, IPL_NONE),
          so_rcv: mutex_init(host, "so_rcv", MUTEX_DEFAULT, IPL_NONE),
          inp: rw_init(host, "inp_lock"),
        };
        return so.lockState as SplitLocks;
      };
      // the sockbuf mutex each LWP's system call holds, innermost last
      const held = new Map<Lwp, kmutex_t[]>();
      const holding = (): kmutex_t | undefined => held.get(curlwp())?.at(-1);
      // The points are plain functions returning an operation, made once
      // here: a lock taken at once costs no generator or closure; each
      // continuation runs after one operation, in place or through `after`.
      // INP_WUNLOCK or INP_RUNLOCK: rw_exit releases either
      const inpUnlock = (so: socket): KernelOp<void> => rw_exit(locks(so).inp);
      const inpWrite: LockPoint<socket> = {
        enter: (so) => rw_enter(locks(so).inp, RW_WRITER),
        exit: inpUnlock,
      };
      const inpOp = (so: socket): krw_t => (so.so_type === SOCK_DGRAM ? RW_READER : RW_WRITER);
      // nobody holds or wants the pcb's lock: taking it now does not wait (INP_TRY_WLOCK)
      const inpTryLock = (so: socket): KernelOp<boolean> => {
        const inp = locks(so).inp;
        if (inp.line.value !== 0) return done(false);
        const o = rw_enter(inp, inpOp(so));
        return paid(o) ? done(true) : after(o, done, true);
      };
      const inpLock = (so: socket): KernelOp<void> => rw_enter(locks(so).inp, inpOp(so));
      const so_rcv_enter = (so: socket): KernelOp<void> => mutex_enter(locks(so).so_rcv);
      const hold = (me: Lwp, m: kmutex_t): KernelOp<void> => {
        const mine = held.get(me);
        if (mine === undefined) held.set(me, [m]);
        else mine.push(m);
        return done(undefined);
      };
      const retake = (): KernelOp<void> => {
        const m = holding();
        return m === undefined ? done(undefined) : mutex_enter(m);
      };
      return {
        input: {
          enter: () => epoch_enter_preempt(net_epoch),
          exit: () => epoch_exit_preempt(net_epoch),
        },
        pcb_lookup: { enter: reader.read_enter, exit: reader.read_exit },
        pcb_change: mutexPoint(mutex_init(host, "inp_hash", MUTEX_DEFAULT, IPL_NONE)),
        so_input: {
          enter(so) {
            const o = reader.lockFound(so, inpTryLock, inpLock);
            return paid(o) ? so_rcv_enter(so) : after(o, so_rcv_enter, so);
          },
          exit(so) {
            const o = mutex_exit(locks(so).so_rcv);
            return paid(o) ? inpUnlock(so) : after(o, inpUnlock, so);
          },
        },
        so_syscall: {
          enter(so) {
            const l = locks(so);
            const me = curlwp();
            const m = so.so_snd.sblock.owner() === me ? l.so_snd : l.so_rcv;
            const o = mutex_enter(m);
            return paid(o) ? hold(me, m) : after(o, hold, me, m);
          },
          exit() {
            const me = curlwp();
            const mine = held.get(me)!;
            const m = mine.pop()!;
            if (mine.length === 0) held.delete(me);
            return mutex_exit(m);
          },
        },
        usrreq: {
          enter(so) {
            const m = holding();
            if (m === undefined) return inpWrite.enter(so);
            const o = mutex_exit(m);
            return paid(o) ? inpWrite.enter(so) : after(o, inpWrite.enter, so);
          },
          exit(so) {
            const o = inpWrite.exit(so);
            return paid(o) ? retake() : after(o, retake);
          },
        },
        // the copy holds no mutex, only sblock
        copy: {
          enter: () => mutex_exit(holding()!),
          exit: () => mutex_enter(holding()!),
        },
        output: NOTHING,
        timer: inpWrite,
      };
    },
  };
}
