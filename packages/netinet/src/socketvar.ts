/*
 * struct socket and struct sockbuf, after NetBSD sys/sys/socketvar.h: a
 * socket has a send and a receive buffer, a protocol, a pcb and state
 * flags. A buffer counts its bytes (sb_cc) against its high-water mark
 * (sb_hiwat) and keeps datagrams as records (m_nextpkt); sblock, a lock
 * held across sleeps, serialises the I/O system calls on one buffer.
 */

import { sleeplock_init, type sleeplock_t } from "@smpnet/core";
import type { Lwp } from "@smpnet/sim";
import type { inpcb } from "./in_pcb.js";
import type { mbuf } from "./mbuf.js";
import type { pr_usrreqs } from "./protosw.js";
import type { NetStack } from "./stack.js";

/** Socket types (sys/socket.h). */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;

/** so_state (sys/socketvar.h). */
export const SS_NOFDREF = 0x001;
export const SS_ISCONNECTED = 0x002;
export const SS_ISCONNECTING = 0x004;
export const SS_ISDISCONNECTING = 0x008;
export const SS_CANTSENDMORE = 0x010;
export const SS_CANTRCVMORE = 0x020;
export const SS_NBIO = 0x080;
/** sosend's hint to the protocol that more data follows at once (FreeBSD's PRUS_MORETOCOME). */
export const SS_MORETOCOME = 0x400;

/** errno values (sys/errno.h). */
export const EWOULDBLOCK = 35;
export const EMSGSIZE = 40;
export const EADDRINUSE = 48;
export const ENOBUFS = 55;
export const ENOTCONN = 57;
export const EPIPE = 32;
export const EINVAL = 22;
export const EOPNOTSUPP = 45;
export const ECONNABORTED = 53;
export const ECONNRESET = 54;
export const EISCONN = 56;
export const ETIMEDOUT = 60;
export const ECONNREFUSED = 61;
export const ENOPROTOOPT = 42;
export const EINPROGRESS = 36;
export const ENOENT = 2;

/** so_options (sys/socket.h). */
export const SO_ACCEPTCONN = 0x0002;
export const SO_REUSEADDR = 0x0004;
export const SO_KEEPALIVE = 0x0008;
/** Lets sockets that all set it bind the same address and port (in_pcbbind). */
export const SO_REUSEPORT = 0x0200;
/** setsockopt's socket level and its buffer sizes (sys/socket.h). */
export const SOL_SOCKET = 0xffff;
export const SO_SNDBUF = 0x1001;
export const SO_RCVBUF = 0x1002;
/** getsockopt: the pending error, returned and cleared. */
export const SO_ERROR = 0x1007;
/** recv(2) flags (sys/socket.h): look at the data without taking it. */
export const MSG_PEEK = 0x2;

/** Longest listen queue (sys/socket.h SOMAXCONN). */
export const SOMAXCONN = 128;

/** sb_flags (sys/socketvar.h): the buffer's size follows the connection (tcp_autosize.ts). */
export const SB_AUTOSIZE = 0x800;

export class sockbuf {
  sb_cc = 0;
  sb_hiwat: number;
  sb_lowat: number;
  sb_flags = 0;
  /** The first and last records (datagrams; a stream keeps one chain). */
  sb_mb: mbuf | null = null;
  sb_lastrecord: mbuf | null = null;
  /** LWPs asleep in sbwait. */
  waiters = 0;
  /** selinfo: the wait channels of select calls waiting on this buffer. */
  readonly sel = new Set<object>();
  /** sblock: serialises I/O system calls on this buffer. */
  readonly sblock: sleeplock_t;
  /** The LWP inside an append or drop now: two at once is a locking bug. */
  inside: Lwp | null = null;

  constructor(
    readonly so: socket,
    readonly name: string,
    hiwat: number,
    lowat: number,
  ) {
    this.sb_hiwat = hiwat;
    this.sb_lowat = lowat;
    this.sblock = sleeplock_init(so.stack.host, `${name}.sblock`);
  }
}

export class socket {
  so_state = 0;
  so_error = 0;
  so_options = 0;
  so_pcb: inpcb | null = null;
  /** A listening socket's incomplete (so_q0) and complete (so_q) connections, and their bound. */
  readonly so_q0: socket[] = [];
  readonly so_q: socket[] = [];
  so_qlimit = 0;
  /** The listening socket a queued connection belongs to. */
  so_head: socket | null = null;
  readonly so_snd: sockbuf;
  readonly so_rcv: sockbuf;
  /** LWPs asleep on so_cv (connect and accept waiting for a connection). */
  so_cvwaiters = 0;
  /** Whatever per-socket state the locking policy keeps (its so_lock, say). */
  lockState: unknown = null;

  constructor(
    readonly stack: NetStack,
    readonly so_type: number,
    readonly so_proto: pr_usrreqs,
    readonly id: number,
    sndhiwat: number,
    rcvhiwat: number,
  ) {
    this.so_snd = new sockbuf(this, `so${id}.so_snd`, sndhiwat, 2_048);
    this.so_rcv = new sockbuf(this, `so${id}.so_rcv`, rcvhiwat, 1);
  }

  toString(): string {
    return `so${this.id}`;
  }
}

/** A user's I/O request (struct uio in outline): bytes asked and done, and what they were. */
export class uio {
  /** Bytes left to move. */
  uio_resid = 0;
  /** The payload identity of the datagram moved (its id and length). */
  data_id = 0;
  data_len = 0;
  /** Destination or source of a datagram (sendto/recvfrom). */
  addr = 0;
  port = 0;
  /**
   * A stream read appends here, when given, the sequence number and length
   * of each piece it copied, in order: what the receiver needs to prove the
   * stream arrived whole.
   */
  ranges: number[] | null = null;
  /** recv(2)'s flags (MSG_PEEK). */
  flags = 0;
}
