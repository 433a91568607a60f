/*
 * The user requests a protocol offers its sockets (struct pr_usrreqs,
 * sys/sys/protosw.h). Each returns 0 or an errno; the socket layer calls
 * them inside the policy's `usrreq` lock point.
 */

import type { KernelGen } from "@smpnet/sim";
import type { mbuf } from "./mbuf.js";
import type { socket } from "./socketvar.js";

export interface pr_usrreqs {
  pr_attach(so: socket): KernelGen<number>;
  pr_bind(so: socket, addr: number, port: number): KernelGen<number>;
  pr_connect(so: socket, addr: number, port: number): KernelGen<number>;
  /** Takes `m` whatever happens: sends it or frees it. */
  pr_send(so: socket, m: mbuf, addr: number, port: number): KernelGen<number>;
  pr_detach(so: socket): KernelGen<void>;
}
