/*
 * The socket layer, after NetBSD sys/kern/uipc_socket.c: socreate, sobind,
 * soconnect, sosend, soreceive and soclose, for datagram sockets (stream
 * sockets come with TCP). Each holds the policy's so_syscall point for its
 * work on the socket and usrreq around the protocol's request.
 *
 * sosend for a datagram: sblock(so_snd) serialises senders; the payload is
 * copied from user space into a fresh packet inside the `copy` point (NetBSD
 * drops so_lock for the allocation and uiomove; a per-socket-mutex design
 * keeps it); then pr_send. soreceive waits in sbwait until a datagram is
 * there, unlinks it, and copies it out inside the `copy` point.
 *
 * One difference from NetBSD: sblock here is a sleep lock taken before the
 * socket's lock (FreeBSD's order, SOCK_IO_SEND_LOCK first), where NetBSD's
 * sblock sleeps on so_cv with so_lock as the interlock. Both exclude other
 * senders and let input proceed; only who wakes whom differs.
 */

import { sleeplock_enter, sleeplock_exit } from "@smpnet/core";
import { curcpu, type KernelGen, SimError, work } from "@smpnet/sim";
import { UDP_MAXPAYLOAD, UDP_RECVSPACE, UDP_SENDSPACE } from "./constants.js";
import { m_freem, m_getpkt, type mbuf } from "./mbuf.js";
import {
  EMSGSIZE,
  ENOBUFS,
  EWOULDBLOCK,
  SOCK_DGRAM,
  SS_CANTRCVMORE,
  SS_NBIO,
  socket,
  type uio,
} from "./socketvar.js";
import type { NetStack } from "./stack.js";
import { udp_usrreqs } from "./udp_usrreq.js";
import { sbtakerecord, sbwait } from "./uipc_socket2.js";

/** socreate: a socket of `type` with its pcb. */
export function* socreate(stack: NetStack, type: number): KernelGen<socket> {
  if (type !== SOCK_DGRAM) {
    throw new SimError(
      `socreate: socket type ${type} is not modelled yet; use SOCK_DGRAM (${SOCK_DGRAM})`,
    );
  }
  const so = new socket(
    stack,
    type,
    udp_usrreqs,
    stack.nextSocketId++,
    UDP_SENDSPACE,
    UDP_RECVSPACE,
  );
  const locks = stack.locks;
  yield* locks.so_syscall.enter(so);
  yield* locks.usrreq.enter(so);
  yield* so.so_proto.pr_attach(so);
  yield* locks.usrreq.exit(so);
  yield* locks.so_syscall.exit(so);
  return so;
}

function* usrreq(so: socket, req: (so: socket) => KernelGen<number>): KernelGen<number> {
  const locks = so.stack.locks;
  yield* locks.so_syscall.enter(so);
  yield* locks.usrreq.enter(so);
  const error = yield* req(so);
  yield* locks.usrreq.exit(so);
  yield* locks.so_syscall.exit(so);
  return error;
}

/** sobind: the local address and port (0: any); 0 or EADDRINUSE. */
export function sobind(so: socket, addr: number, port: number): KernelGen<number> {
  return usrreq(so, (s) => s.so_proto.pr_bind(s, addr, port));
}

/** soconnect: fixes the peer a datagram socket sends to and receives from. */
export function soconnect(so: socket, addr: number, port: number): KernelGen<number> {
  return usrreq(so, (s) => s.so_proto.pr_connect(s, addr, port));
}

/** sosend: sends `uio.uio_resid` bytes as one datagram to uio.addr:uio.port (ignored when connected). */
export function* sosend(so: socket, u: uio): KernelGen<number> {
  const stack = so.stack;
  const locks = stack.locks;
  const len = u.uio_resid;
  if (len > UDP_MAXPAYLOAD || len > so.so_snd.sb_hiwat) return EMSGSIZE;
  yield* sleeplock_enter(so.so_snd.sblock);
  yield* locks.so_syscall.enter(so);
  yield* locks.copy.enter(so);
  const m = yield* m_getpkt(stack.mbufs, len);
  if (m !== null) {
    yield* work(len / stack.memcpyBytesPerCycle); // uiomove: copyin
    m.id = stack.nextPacketId();
    m.data_id = u.data_id;
    m.data_len = len;
  }
  yield* locks.copy.exit(so);
  let error = ENOBUFS;
  if (m !== null) {
    u.uio_resid = 0;
    yield* locks.usrreq.enter(so);
    error = yield* so.so_proto.pr_send(so, m, u.addr, u.port);
    yield* locks.usrreq.exit(so);
  }
  yield* locks.so_syscall.exit(so);
  yield* sleeplock_exit(so.so_snd.sblock);
  return error;
}

/**
 * soreceive: the next datagram, or EWOULDBLOCK on a non-blocking socket
 * with none. Copies min(its length, uio_resid) bytes; the rest of a longer
 * datagram is discarded (MSG_TRUNC). Fills u.data_id and u.data_len.
 */
export function* soreceive(so: socket, u: uio): KernelGen<number> {
  const stack = so.stack;
  const locks = stack.locks;
  const sb = so.so_rcv;
  yield* sleeplock_enter(sb.sblock);
  yield* locks.so_syscall.enter(so);
  let error = 0;
  while (sb.sb_mb === null && (so.so_state & SS_CANTRCVMORE) === 0) {
    if (so.so_state & SS_NBIO) {
      error = EWOULDBLOCK;
      break;
    }
    yield* sbwait(sb, () => sb.sb_mb !== null || (so.so_state & SS_CANTRCVMORE) !== 0);
  }
  const m = error === 0 ? yield* sbtakerecord(sb) : null;
  if (m !== null) {
    const n = Math.min(m.len, u.uio_resid);
    yield* locks.copy.enter(so);
    yield* work(n / stack.memcpyBytesPerCycle); // uiomove: copyout
    yield* locks.copy.exit(so);
    u.uio_resid -= n;
    u.data_id = m.data_id;
    u.data_len = m.data_len;
    u.addr = m.ip_src;
    u.port = m.sport;
    const p = stack.probes.user_read;
    if (p.on) p.emit(curcpu(), m.id, n);
  }
  yield* locks.so_syscall.exit(so);
  yield* sleeplock_exit(sb.sblock);
  if (m !== null) yield* m_freem(stack.mbufs, m);
  return error;
}

/** soclose: detaches the pcb and frees what the receive buffer holds. */
export function* soclose(so: socket): KernelGen {
  const stack = so.stack;
  const locks = stack.locks;
  yield* locks.so_syscall.enter(so);
  so.so_state |= SS_CANTRCVMORE;
  yield* locks.usrreq.enter(so);
  yield* so.so_proto.pr_detach(so);
  yield* locks.usrreq.exit(so);
  const dropped: mbuf[] = [];
  for (let m = yield* sbtakerecord(so.so_rcv); m !== null; m = yield* sbtakerecord(so.so_rcv)) {
    dropped.push(m);
  }
  yield* locks.so_syscall.exit(so);
  for (const m of dropped) {
    const p = stack.probes.drop;
    if (p.on) p.emit(stack.host, m.id, "soclose");
    yield* m_freem(stack.mbufs, m);
  }
}
