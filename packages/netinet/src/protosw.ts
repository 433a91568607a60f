/*
 * The user requests a protocol offers its sockets (struct pr_usrreqs,
 * sys/sys/protosw.h). Each returns 0 or an errno; the socket layer calls
 * them inside the policy's `usrreq` lock point. The connection requests
 * (listen, accept, rcvd, shutdown, disconnect) are a stream protocol's; a
 * protocol without them answers EOPNOTSUPP, as UDP's do.
 */

import type { KernelGen, KernelOp } from "@smpnet/sim";
import type { mbuf } from "./mbuf.js";
import type { socket } from "./socketvar.js";

/** A socket option's value: an integer, or a name (TCP_CONGESTION). */
export type sockoptval = number | string;

export interface pr_usrreqs {
  pr_attach(so: socket): KernelGen<number>;
  pr_bind(so: socket, addr: number, port: number): KernelGen<number>;
  pr_connect(so: socket, addr: number, port: number): KernelGen<number>;
  /** Takes `m` whatever happens: sends it or frees it. A generator, or a plain function on the per-write path (TCP's). */
  pr_send(so: socket, m: mbuf, addr: number, port: number): KernelOp<number>;
  pr_detach(so: socket): KernelGen<void>;
  pr_listen?(so: socket): KernelGen<number>;
  pr_accept?(so: socket): KernelGen<number>;
  /** The user took data from so_rcv: the protocol may announce the larger window. */
  pr_rcvd?(so: socket): KernelOp<number>;
  pr_shutdown?(so: socket): KernelGen<number>;
  pr_disconnect?(so: socket): KernelGen<number>;
  /** pr_ctloutput for setsockopt at the protocol's level: 0, EINVAL or ENOPROTOOPT. */
  pr_setopt?(so: socket, name: number, value: sockoptval): KernelGen<number>;
  /** pr_ctloutput for getsockopt at the protocol's level: 0 with `out.value` set, or ENOPROTOOPT. */
  pr_getopt?(so: socket, name: number, out: { value: sockoptval }): KernelGen<number>;
}
