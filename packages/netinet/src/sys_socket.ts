/*
 * The system calls a user thread makes on sockets (sys/kern/uipc_syscalls.c
 * in outline): each enters the kernel, pays the trap (the profile's
 * syscallCycles), runs the socket layer and returns to user mode. Call them
 * from an LWP created with `user: true`; they block where the kernel blocks.
 */

import { kfn } from "@smpnet/core";
import { callpath, type KernelGen, syscall_enter, syscall_exit, work } from "@smpnet/sim";
import type { sockoptval } from "./protosw.js";
import { EINVAL, SS_NBIO, type socket, type uio } from "./socketvar.js";
import type { NetStack } from "./stack.js";
import {
  soaccept,
  sobind,
  soclose,
  soconnect,
  socreate,
  sogetopt,
  solisten,
  soreceive as soreceive_body,
  sosend as sosend_body,
  sosetopt,
  soshutdown,
} from "./uipc_socket.js";

// named for lockstat's and lockdebug's callers: the user's side of a socket lock
const sosend = kfn("sosend", sosend_body);
const soreceive = kfn("soreceive", soreceive_body);

/** fcntl(2) commands and file status flags (sys/fcntl.h). */
export const F_GETFL = 3;
export const F_SETFL = 4;
export const O_RDWR = 0x0002;
export const O_NONBLOCK = 0x0004;

function* syscall<T>(stack: NetStack, name: string, body: KernelGen<T>): KernelGen<T> {
  syscall_enter();
  // the system call is the caller of what it does not name itself (lockstat, folded stacks)
  const path = callpath();
  path.push(name);
  yield* work(stack.costs.syscallCycles);
  const r = yield* body;
  path.pop();
  syscall_exit();
  return r;
}

/** socket(2) */
export function sys_socket(stack: NetStack, type: number): KernelGen<socket> {
  return syscall(stack, "sys_socket", socreate(stack, type));
}

/** bind(2): 0 or an errno. */
export function sys_bind(so: socket, addr: number, port: number): KernelGen<number> {
  return syscall(so.stack, "sys_bind", sobind(so, addr, port));
}

/** connect(2): 0 or an errno. */
export function sys_connect(so: socket, addr: number, port: number): KernelGen<number> {
  return syscall(so.stack, "sys_connect", soconnect(so, addr, port));
}

/** listen(2): 0 or an errno. */
export function sys_listen(so: socket, backlog: number): KernelGen<number> {
  return syscall(so.stack, "sys_listen", solisten(so, backlog));
}

/** accept(2): the connection's socket, or an errno. */
export function sys_accept(so: socket): KernelGen<socket | number> {
  return syscall(so.stack, "sys_accept", soaccept(so));
}

/** shutdown(2) with SHUT_WR: 0 or an errno. */
export function sys_shutdown(so: socket): KernelGen<number> {
  return syscall(so.stack, "sys_shutdown", soshutdown(so));
}

/** sendto(2) / write(2): 0 or an errno; on a stream, returns when every byte is in so_snd. */
export function sys_sendto(so: socket, u: uio): KernelGen<number> {
  return syscall(so.stack, "sys_sendto", sosend(so, u));
}

/**
 * recvfrom(2) / read(2): 0 or an errno; the datagram's identity in `u`, or
 * on a stream the first byte's sequence number and the bytes read (0: end
 * of file).
 */
export function sys_recvfrom(so: socket, u: uio): KernelGen<number> {
  return syscall(so.stack, "sys_recvfrom", soreceive(so, u));
}

/** setsockopt(2) with an integer or a name: 0 or an errno (EINVAL, ENOBUFS, ENOPROTOOPT, ENOENT). */
export function sys_setsockopt(
  so: socket,
  level: number,
  name: number,
  value: sockoptval,
): KernelGen<number> {
  return syscall(so.stack, "sys_setsockopt", sosetopt(so, level, name, value));
}

/** getsockopt(2): 0 with `out.value` set, or ENOPROTOOPT. */
export function sys_getsockopt(
  so: socket,
  level: number,
  name: number,
  out: { value: sockoptval },
): KernelGen<number> {
  return syscall(so.stack, "sys_getsockopt", sogetopt(so, level, name, out));
}

/**
 * fcntl(2) on a socket's descriptor: F_GETFL (O_RDWR, with O_NONBLOCK when
 * set) and F_SETFL, whose O_NONBLOCK sets or clears SS_NBIO (soo_ioctl's
 * FIONBIO). [0 or an errno, the flags for F_GETFL].
 */
export function sys_fcntl(so: socket, cmd: number, arg: number): KernelGen<[number, number]> {
  return syscall(so.stack, "sys_fcntl", fcntl(so, cmd, arg));
}

function* fcntl(so: socket, cmd: number, arg: number): KernelGen<[number, number]> {
  if (cmd === F_GETFL) return [0, O_RDWR | (so.so_state & SS_NBIO ? O_NONBLOCK : 0)];
  if (cmd !== F_SETFL) return [EINVAL, 0];
  if (arg & O_NONBLOCK) so.so_state |= SS_NBIO;
  else so.so_state &= ~SS_NBIO;
  return [0, 0];
}

/** close(2) */
export function sys_close(so: socket): KernelGen<void> {
  return syscall(so.stack, "sys_close", soclose(so));
}
