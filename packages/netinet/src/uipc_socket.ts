/*
 * The socket layer, after NetBSD sys/kern/uipc_socket.c: socreate, sobind,
 * solisten, soaccept, soconnect, sosend, soreceive, soshutdown and soclose,
 * sosetopt, for datagram (UDP) and stream (TCP) sockets. Each holds the policy's
 * so_syscall point for its work on the socket and usrreq around the
 * protocol's request.
 *
 * sosend for a stream fills the room so_snd has as NetBSD does, one mbuf
 * (a 2 KB cluster, or a small mbuf for the tail of the room) copied inside
 * `copy` and handed to pr_send (TCP appends it and calls tcp_output) at a
 * time; on the freebsd preset, or for a policy that chooses it, as
 * FreeBSD's sosend_generic, the whole room in one copy and one pr_send. It sleeps in sbwait while the buffer
 * is full, until all is sent. soreceive for a stream sleeps until data, EOF or an error, copies
 * out up to the request from so_rcv an mbuf at a time, each copy inside
 * `copy` (both kernels drop the socket's lock around each uiomove) and
 * each mbuf dropped after it (sbdrop), then calls pr_rcvd so the protocol
 * can announce the window it opened. connect on a stream sleeps on
 * so_cv until the handshake ends; accept until a connection is complete.
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
import {
  after,
  curcpu,
  done,
  type KernelGen,
  type KernelOp,
  paid,
  paidValue,
  SimError,
  work,
} from "@smpnet/sim";
import {
  MCLBYTES,
  MHLEN,
  MINCLSIZE,
  UDP_MAXPAYLOAD,
  UDP_RECVSPACE,
  UDP_SENDSPACE,
} from "./constants.js";
import { m_freem, m_getpkt, type mbuf } from "./mbuf.js";
import type { pr_usrreqs, sockoptval } from "./protosw.js";
import {
  ECONNABORTED,
  EINPROGRESS,
  EINVAL,
  EMSGSIZE,
  ENOBUFS,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  EPIPE,
  EWOULDBLOCK,
  MSG_PEEK,
  SB_AUTOSIZE,
  SO_ACCEPTCONN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  SOMAXCONN,
  SS_CANTRCVMORE,
  SS_CANTSENDMORE,
  SS_ISCONNECTED,
  SS_ISCONNECTING,
  SS_MORETOCOME,
  SS_NBIO,
  SS_NOFDREF,
  socket,
  type uio,
} from "./socketvar.js";
import type { NetStack } from "./stack.js";
import { tcp_usrreqs } from "./tcp_usrreq.js";
import { udp_usrreqs } from "./udp_usrreq.js";
import {
  sbdrop,
  sbflush,
  sbreserve,
  sbspace,
  sbtakerecord,
  sbwait,
  sowait,
} from "./uipc_socket2.js";

/** socreate: a socket of `type` with its pcb. */
export function* socreate(stack: NetStack, type: number): KernelGen<socket> {
  if (type !== SOCK_DGRAM && type !== SOCK_STREAM) {
    throw new SimError(
      `socreate: socket type ${type} is not modelled; use SOCK_STREAM (${SOCK_STREAM}) or SOCK_DGRAM (${SOCK_DGRAM})`,
    );
  }
  const stream = type === SOCK_STREAM;
  const so = new socket(
    stack,
    type,
    stream ? tcp_usrreqs : udp_usrreqs,
    stack.nextSocketId++,
    stream ? stack.sysctl["net.inet.tcp.sendspace"] : UDP_SENDSPACE,
    stream ? stack.sysctl["net.inet.tcp.recvspace"] : UDP_RECVSPACE,
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

/**
 * sosetopt: SO_SNDBUF and SO_RCVBUF set a buffer's sb_hiwat (sbreserve:
 * EINVAL below 1, ENOBUFS above sb_max less the mbufs' overhead) and turn
 * its autosizing off (SB_AUTOSIZE);
 * SO_KEEPALIVE, SO_REUSEADDR and SO_REUSEPORT set or clear their so_options bits (the
 * last two are read by in_pcbbind); any other level goes to the protocol (TCP's
 * tcp_ctloutput). 0 or an errno.
 */
export function sosetopt(
  so: socket,
  level: number,
  name: number,
  value: sockoptval,
): KernelGen<number> {
  return usrreq(so, function* (s) {
    if (level !== SOL_SOCKET) {
      const f = s.so_proto.pr_setopt;
      return f === undefined ? ENOPROTOOPT : yield* f.call(s.so_proto, s, name, value);
    }
    if (typeof value !== "number" || !Number.isInteger(value)) return EINVAL;
    if (name === SO_KEEPALIVE || name === SO_REUSEADDR || name === SO_REUSEPORT) {
      if (value) s.so_options |= name;
      else s.so_options &= ~name;
      return 0;
    }
    if (name !== SO_SNDBUF && name !== SO_RCVBUF) return ENOPROTOOPT;
    if (value < 1) return EINVAL;
    const sb = name === SO_SNDBUF ? s.so_snd : s.so_rcv;
    if (!sbreserve(sb, value)) return ENOBUFS;
    // a size the user chose is kept: no more autosizing (both kernels' sosetopt)
    sb.sb_flags &= ~SB_AUTOSIZE;
    return 0;
  });
}

/**
 * sogetopt: SO_ERROR returns the pending error and clears it; SO_KEEPALIVE,
 * SO_REUSEADDR, SO_REUSEPORT, SO_SNDBUF and SO_RCVBUF their settings; other levels the protocol's.
 * 0 with `out.value` set, or ENOPROTOOPT.
 */
export function sogetopt(
  so: socket,
  level: number,
  name: number,
  out: { value: sockoptval },
): KernelGen<number> {
  return usrreq(so, function* (s) {
    if (level !== SOL_SOCKET) {
      const f = s.so_proto.pr_getopt;
      return f === undefined ? ENOPROTOOPT : yield* f.call(s.so_proto, s, name, out);
    }
    switch (name) {
      case SO_ERROR:
        out.value = s.so_error;
        s.so_error = 0;
        return 0;
      case SO_KEEPALIVE:
      case SO_REUSEADDR:
      case SO_REUSEPORT:
        out.value = s.so_options & name ? 1 : 0;
        return 0;
      case SO_SNDBUF:
        out.value = s.so_snd.sb_hiwat;
        return 0;
      case SO_RCVBUF:
        out.value = s.so_rcv.sb_hiwat;
        return 0;
    }
    return ENOPROTOOPT;
  });
}

/** A request the protocol may not have (EOPNOTSUPP then). */
function optional(req: keyof pr_usrreqs): (so: socket) => KernelGen<number> {
  return function* (so) {
    const f = so.so_proto[req] as ((so: socket) => KernelGen<number>) | undefined;
    return f === undefined ? EOPNOTSUPP : yield* f.call(so.so_proto, so);
  };
}

/**
 * soconnect: fixes the peer a datagram socket sends to and receives from;
 * on a stream, starts the handshake and sleeps until it ends (0, or
 * so_error: ECONNREFUSED, ETIMEDOUT); a non-blocking socket returns
 * EINPROGRESS at once (kern_connectat), its outcome left in so_error.
 */
export function* soconnect(so: socket, addr: number, port: number): KernelGen<number> {
  if (so.so_options & SO_ACCEPTCONN) return EOPNOTSUPP;
  let error = yield* usrreq(so, (s) => s.so_proto.pr_connect(s, addr, port));
  if (error !== 0 || so.so_type !== SOCK_STREAM) return error;
  if (so.so_state & SS_NBIO && so.so_state & SS_ISCONNECTING) return EINPROGRESS;
  const locks = so.stack.locks;
  yield* locks.so_syscall.enter(so);
  const settled = () => (so.so_state & SS_ISCONNECTING) === 0 || so.so_error !== 0;
  while (!settled()) yield* sowait(so, settled);
  error = so.so_error;
  so.so_error = 0;
  yield* locks.so_syscall.exit(so);
  return error;
}

/** solisten: takes connections on a stream socket, `backlog` of them queued (at most SOMAXCONN). */
export function* solisten(so: socket, backlog: number): KernelGen<number> {
  const error = yield* usrreq(so, optional("pr_listen"));
  if (error !== 0) return error;
  so.so_options |= SO_ACCEPTCONN;
  so.so_qlimit = Math.min(Math.max(backlog, 0), SOMAXCONN);
  return 0;
}

/**
 * soaccept: sleeps until a connection is complete on the listening `head`
 * and takes it off the queue; the new socket, or an errno (EINVAL if not
 * listening, EWOULDBLOCK if non-blocking with none, ECONNABORTED if closed).
 */
export function* soaccept(head: socket): KernelGen<socket | number> {
  if ((head.so_options & SO_ACCEPTCONN) === 0) return EINVAL;
  const locks = head.stack.locks;
  yield* locks.so_syscall.enter(head);
  let result: socket | number = 0;
  const ready = () => head.so_q.length > 0 || (head.so_state & SS_CANTRCVMORE) !== 0;
  while (!ready()) {
    if (head.so_state & SS_NBIO) {
      result = EWOULDBLOCK;
      break;
    }
    yield* sowait(head, ready);
  }
  if (result === 0) {
    const so = head.so_q.shift();
    if (so === undefined) result = ECONNABORTED;
    else {
      so.so_head = null;
      yield* locks.usrreq.enter(so);
      yield* so.so_proto.pr_accept!(so);
      yield* locks.usrreq.exit(so);
      result = so;
    }
  }
  yield* locks.so_syscall.exit(head);
  return result;
}

/** soshutdown: no more sending on a stream (SHUT_WR): the FIN. */
export function soshutdown(so: socket): KernelGen<number> {
  return usrreq(so, optional("pr_shutdown"));
}

// copyin and copyout are plain functions on their fast path, each step the
// rest after one operation (the lock points', the allocation, the copy)

/**
 * The user copy into a fresh packet of `n` bytes (m_getpkt, uiomove's
 * copyin), inside the policy's copy point; null when mbufs ran out.
 */
function copyin(so: socket, n: number): KernelOp<mbuf | null> {
  const o = so.stack.locks.copy.enter(so);
  return paid(o) ? copyin_get(so, n) : after(o, copyin_get, so, n);
}

function copyin_get(so: socket, n: number): KernelOp<mbuf | null> {
  const o = m_getpkt(so.stack.mbufs, n);
  return paid(o) ? copyin_copy(so, n, paidValue() as mbuf | null) : after(o, copyin_copy, so, n);
}

function copyin_copy(so: socket, n: number, m: mbuf | null): KernelOp<mbuf | null> {
  if (m === null) return copy_exit(so, null);
  const o = work(n / so.stack.memcpyBytesPerCycle);
  return paid(o) ? copyin_copied(so, m) : after(o, copyin_copied, so, m);
}

function copyin_copied(so: socket, m: mbuf): KernelOp<mbuf | null> {
  m.id = so.stack.nextPacketId();
  return copy_exit(so, m);
}

/** The copy point's exit, then `v` (copyin's packet). */
function copy_exit<T>(so: socket, v: T): KernelOp<T> {
  const o = so.stack.locks.copy.exit(so);
  return paid(o) ? done(v) : after(o, done, v);
}

/** uiomove's copyout of `n` bytes to the user, inside the policy's copy point. */
function copyout(so: socket, n: number): KernelOp<void> {
  const o = so.stack.locks.copy.enter(so);
  return paid(o) ? copyout_copy(so, n) : after(o, copyout_copy, so, n);
}

function copyout_copy(so: socket, n: number): KernelOp<void> {
  const o = work(n / so.stack.memcpyBytesPerCycle);
  return paid(o) ? copy_exit(so, undefined) : after(o, copy_exit, so, undefined);
}

// sosend and soreceive hand their caller the type's generator, one level
// less for every resume of a thread suspended in them

/** sosend: sends `uio.uio_resid` bytes as one datagram to uio.addr:uio.port (ignored when connected), or on a stream. */
export function sosend(so: socket, u: uio): KernelGen<number> {
  return so.so_type === SOCK_STREAM ? sosend_stream(so, u) : sosend_dgram(so, u);
}

function* sosend_dgram(so: socket, u: uio): KernelGen<number> {
  const stack = so.stack;
  const locks = stack.locks;
  const len = u.uio_resid;
  if (len > UDP_MAXPAYLOAD || len > so.so_snd.sb_hiwat) return EMSGSIZE;
  yield* sleeplock_enter(so.so_snd.sblock);
  yield* locks.so_syscall.enter(so);
  const m = yield* copyin(so, len);
  if (m !== null) {
    m.data_id = u.data_id;
    m.data_len = len;
  }
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
 * soreceive: on a stream soreceive_stream; else the next datagram, or
 * EWOULDBLOCK on a non-blocking socket with none. Copies min(its length, uio_resid) bytes; the rest of a longer
 * datagram is discarded (MSG_TRUNC). Fills u.data_id and u.data_len.
 */
export function soreceive(so: socket, u: uio): KernelGen<number> {
  return so.so_type === SOCK_STREAM ? soreceive_stream(so, u) : soreceive_dgram(so, u);
}

function* soreceive_dgram(so: socket, u: uio): KernelGen<number> {
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
    yield* copyout(so, n);
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

/**
 * NetBSD's sosend, for a stream: how many bytes the next mbuf takes, each
 * handed to pr_send on its own. A cluster while at least MINCLSIZE is left
 * to send and a cluster's room is left of what sbspace showed, else one
 * packet-header mbuf (MHLEN), so the tail of that room goes out in small
 * pieces (sys/kern/uipc_socket.c sosend: for a non-atomic socket the inner
 * loop builds one mbuf, then pr_send; no page loaning on MULTIPROCESSOR
 * kernels, sock_loan_thresh = -1).
 */
function sosend_mlen(resid: number, space: number): number {
  if (resid >= MINCLSIZE && space >= MCLBYTES) return Math.min(MCLBYTES, resid);
  return Math.min(MHLEN, resid, space);
}

/**
 * sosend on a stream: while bytes are left, waits for room in so_snd (a
 * non-blocking socket returns EWOULDBLOCK once nothing more fits), then
 * fills the room it saw: as NetBSD one mbuf per pr_send (sosend_mlen), each
 * copy inside `copy` and each hand-off after the socket is held again; or
 * as FreeBSD's sosend_generic (the policy's sosend "space", or by default
 * on the freebsd preset), all of it in one m_uiotombuf and one pr_send.
 * EPIPE once the sending side is shut; so_error if the connection failed.
 */
function* sosend_stream(so: socket, u: uio): KernelGen<number> {
  const stack = so.stack;
  const locks = stack.locks;
  const sb = so.so_snd;
  const netbsd =
    (stack.policy.sosend ?? (stack.preset === "freebsd" ? "space" : "cluster")) === "cluster";
  yield* sleeplock_enter(sb.sblock);
  yield* locks.so_syscall.enter(so);
  let error = 0;
  send: while (u.uio_resid > 0) {
    if (so.so_state & SS_CANTSENDMORE) {
      error = EPIPE;
      break;
    }
    if (so.so_error !== 0) {
      error = so.so_error;
      so.so_error = 0;
      break;
    }
    if ((so.so_state & SS_ISCONNECTED) === 0) {
      error = ENOTCONN;
      break;
    }
    let space = sbspace(sb);
    if (space < Math.min(u.uio_resid, sb.sb_lowat)) {
      if (so.so_state & SS_NBIO) {
        error = EWOULDBLOCK;
        break;
      }
      yield* sbwait(
        sb,
        () =>
          sbspace(sb) >= Math.min(u.uio_resid, sb.sb_lowat) ||
          (so.so_state & SS_CANTSENDMORE) !== 0 ||
          so.so_error !== 0,
      );
      continue;
    }
    do {
      const n = netbsd ? sosend_mlen(u.uio_resid, space) : Math.min(u.uio_resid, space);
      const m = yield* copyin(so, n);
      if (m === null) {
        error = ENOBUFS;
        break send;
      }
      u.uio_resid -= n;
      space -= n;
      // NetBSD looks again once it holds the socket after the copy
      if (netbsd && so.so_state & SS_CANTSENDMORE) {
        yield* m_freem(stack.mbufs, m);
        error = EPIPE;
        break send;
      }
      // NetBSD sets SS_MORETOCOME while bytes are left, FreeBSD PRUS_MORETOCOME while room is left too
      const more = u.uio_resid > 0 && (netbsd || space > 0);
      yield* locks.usrreq.enter(so);
      if (more) so.so_state |= SS_MORETOCOME;
      error = yield* so.so_proto.pr_send(so, m, 0, 0);
      so.so_state &= ~SS_MORETOCOME;
      yield* locks.usrreq.exit(so);
      if (error !== 0) break send;
    } while (u.uio_resid > 0 && space > 0);
  }
  yield* locks.so_syscall.exit(so);
  yield* sleeplock_exit(sb.sblock);
  return error;
}

/**
 * soreceive on a stream: sleeps until so_rcv has data, the peer's FIN
 * (0 bytes: end of file) or an error; copies out up to uio_resid bytes,
 * reporting in u.data_id the sequence number of the first byte and in
 * u.data_len how many (each piece in u.ranges when given), then pr_rcvd.
 */
function* soreceive_stream(so: socket, u: uio): KernelGen<number> {
  const stack = so.stack;
  const locks = stack.locks;
  const sb = so.so_rcv;
  yield* sleeplock_enter(sb.sblock);
  yield* locks.so_syscall.enter(so);
  let error = 0;
  const ready = () => sb.sb_cc > 0 || (so.so_state & SS_CANTRCVMORE) !== 0 || so.so_error !== 0;
  while (!ready()) {
    if (so.so_state & SS_NBIO) {
      error = EWOULDBLOCK;
      break;
    }
    yield* sbwait(sb, ready);
  }
  u.data_len = 0;
  if (error === 0 && sb.sb_cc === 0 && so.so_error !== 0) {
    error = so.so_error;
    so.so_error = 0;
  }
  const n = error === 0 ? Math.min(sb.sb_cc, u.uio_resid) : 0;
  if (n > 0) {
    u.data_id = sb.sb_mb!.th_seq;
    u.data_len = n;
  }
  if (n > 0 && (u.flags & MSG_PEEK) !== 0) yield* copyout(so, n);
  if (n > 0 && (u.flags & MSG_PEEK) === 0) {
    // an mbuf at a time; input may append meanwhile, and the data read so
    // far is still first in so_rcv (sblock keeps other readers out)
    for (let left = n; left > 0; ) {
      // an emptied so_rcv (flushed meanwhile) makes sbdrop refuse, by name
      const len = Math.min(sb.sb_mb?.len ?? left, left);
      yield* copyout(so, len);
      yield* sbdrop(sb, len, u.ranges);
      left -= len;
    }
    u.uio_resid -= n;
    const p = stack.probes.user_read;
    if (p.on) p.emit(curcpu(), u.data_id, n);
    yield* locks.usrreq.enter(so);
    if (so.so_proto.pr_rcvd !== undefined) yield* so.so_proto.pr_rcvd(so);
    yield* locks.usrreq.exit(so);
  }
  yield* locks.so_syscall.exit(so);
  yield* sleeplock_exit(sb.sblock);
  return error;
}

/**
 * soclose: detaches the pcb and frees what the receive buffer holds. A
 * listening socket first aborts the connections on its queues; a stream
 * sends its FIN and the connection lives on without the socket
 * (SS_NOFDREF) until TCP is done with it.
 */
export function* soclose(so: socket): KernelGen {
  const stack = so.stack;
  const locks = stack.locks;
  if (so.so_type === SOCK_STREAM) {
    for (const q of [so.so_q0, so.so_q]) {
      while (q.length > 0) {
        const child = q.shift()!;
        child.so_head = null;
        yield* soclose(child);
      }
    }
    yield* locks.so_syscall.enter(so);
    so.so_state |= SS_NOFDREF;
    yield* locks.usrreq.enter(so);
    yield* so.so_proto.pr_detach(so);
    yield* locks.usrreq.exit(so);
    yield* sbflush(so.so_rcv);
    yield* locks.so_syscall.exit(so);
    return;
  }
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
