/*
 * UDP, after NetBSD sys/netinet/udp_usrreq.c: udp_input checks the header
 * and the checksum (unless the NIC verified it), finds the socket by its
 * pcb, appends the datagram to so_rcv with the sender's address
 * (sbappendaddr) and wakes the reader; a datagram for a port nobody has is
 * counted in udps_noport (the ICMP port-unreachable reply is not modelled),
 * one that does not fit in the receive buffer in udps_fullsock. udp_output
 * adds the header and hands the datagram to ip_output.
 *
 * udp_input runs in ip_input's lock point; it takes pcb_lookup around the
 * lookup and, inside it, so_input on the socket it found, held until the
 * datagram is appended and the reader woken.
 */

import { curcpu, type KernelGen, work } from "@smpnet/sim";
import { IP_HDR_LEN, IPPROTO_UDP, UDP_HDR_LEN } from "./constants.js";
import { stat_drop } from "./drop.js";
import { in_cksum } from "./in_cksum.js";
import { in_pcballoc, in_pcbbind, in_pcbconnect, in_pcbdetach, in_pcblookup } from "./in_pcb.js";
import { ip_output } from "./ip_output.js";
import { m_adj, m_freem, type mbuf } from "./mbuf.js";
import type { pr_usrreqs } from "./protosw.js";
import { EADDRINUSE, SS_ISCONNECTED, type socket } from "./socketvar.js";
import type { NetStack } from "./stack.js";
import type { udpstat } from "./stats.js";
import { sbappendaddr, sorwakeup } from "./uipc_socket2.js";

function udp_drop(stack: NetStack, m: mbuf, counter: keyof udpstat): KernelGen {
  return stat_drop(stack, m, stack.udpstat, counter);
}

/** udp_input: `m` starts with its IP header of `off` bytes. */
export function* udp_input(stack: NetStack, m: mbuf, off: number): KernelGen {
  const st = stack.udpstat;
  st.udps_ipackets++;
  yield* work(stack.costs.udpInputCycles);
  if (m.len < off + UDP_HDR_LEN) return yield* udp_drop(stack, m, "udps_hdrops");
  if (m.data_len !== m.len - off - UDP_HDR_LEN) return yield* udp_drop(stack, m, "udps_badlen");
  if (!m.csumVerified) yield* in_cksum(stack, m.len - off);
  if (m.corrupt) return yield* udp_drop(stack, m, "udps_badsum");
  const t = stack.udbtable;
  const locks = stack.locks;
  yield* locks.pcb_lookup.enter(t);
  const inp = yield* in_pcblookup(t, m.ip_src, m.sport, m.ip_dst, m.dport);
  const so = inp?.inp_socket ?? null;
  if (so !== null) yield* locks.so_input.enter(so);
  yield* locks.pcb_lookup.exit(t);
  if (so === null) return yield* udp_drop(stack, m, "udps_noport");
  m_adj(m, off + UDP_HDR_LEN);
  const id = m.id;
  const bytes = m.len;
  if (yield* sbappendaddr(so.so_rcv, m)) {
    const p = stack.probes.deliver;
    if (p.on) p.emit(curcpu(), id, bytes);
    yield* sorwakeup(so);
  } else {
    yield* udp_drop(stack, m, "udps_fullsock");
  }
  yield* locks.so_input.exit(so);
}

/** udp_output: `m` holds the payload; sends it to `faddr`:`fport`. 0 or an errno. */
export function* udp_output(so: socket, m: mbuf, faddr: number, fport: number): KernelGen<number> {
  const stack = so.stack;
  const inp = so.so_pcb!;
  yield* work(stack.costs.udpOutputCycles);
  m.data_len = m.len;
  m.len += UDP_HDR_LEN;
  m.m_len += UDP_HDR_LEN;
  m.sport = inp.inp_lport;
  m.dport = fport;
  if (!stack.ifp.if_capenable.txChecksum) yield* in_cksum(stack, m.len);
  stack.udpstat.udps_opackets++;
  // ip_output prepends its header
  m.len += IP_HDR_LEN;
  m.m_len += IP_HDR_LEN;
  const locks = stack.locks;
  yield* locks.output.enter(so);
  const error = yield* ip_output(stack, m, faddr, IPPROTO_UDP);
  yield* locks.output.exit(so);
  return error;
}

/** The user requests of UDP sockets (udp_usrreqs). */
export const udp_usrreqs: pr_usrreqs = {
  *pr_attach(so) {
    yield* in_pcballoc(so.stack.udbtable, so);
    return 0;
  },
  *pr_bind(so, addr, port) {
    return (yield* in_pcbbind(so.so_pcb!, addr, port)) ? 0 : EADDRINUSE;
  },
  *pr_connect(so, addr, port) {
    const inp = so.so_pcb!;
    if (inp.inp_lport === 0 && !(yield* in_pcbbind(inp, 0, 0))) return EADDRINUSE;
    const error = yield* in_pcbconnect(inp, addr, port);
    if (error !== 0) return error;
    so.so_state |= SS_ISCONNECTED;
    return 0;
  },
  *pr_send(so, m, addr, port) {
    const inp = so.so_pcb!;
    if (inp.inp_lport === 0 && !(yield* in_pcbbind(inp, 0, 0))) {
      yield* m_freem(so.stack.mbufs, m);
      return EADDRINUSE;
    }
    const connected = (so.so_state & SS_ISCONNECTED) !== 0;
    return yield* udp_output(
      so,
      m,
      connected ? inp.inp_faddr : addr,
      connected ? inp.inp_fport : port,
    );
  },
  *pr_detach(so) {
    yield* in_pcbdetach(so.so_pcb!);
  },
};
