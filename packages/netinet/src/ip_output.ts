/*
 * IPv4 output, after NetBSD sys/netinet/ip_output.c: one route (every
 * destination is reached through the host's one interface), the header
 * filled in, its checksum computed in software unless the NIC offloads it,
 * and the packet handed to if_output. A packet larger than the MTU would be
 * fragmented by the kernel; the model does not fragment and refuses it
 * (ips_cantfrag, EMSGSIZE). A full interface queue drops it (ips_odropped,
 * ENOBUFS).
 */

import { after, done, type KernelOp, paid, paidValue, work } from "@smpnet/sim";
import { IP_HDR_LEN, IPDEFTTL } from "./constants.js";
import { if_output } from "./if.js";
import { in_cksum } from "./in_cksum.js";
import { m_freem, type mbuf } from "./mbuf.js";
import { EMSGSIZE, ENOBUFS } from "./socketvar.js";
import type { NetStack } from "./stack.js";

/**
 * Sends `m` (whose len includes the IP header) to `dst`; 0 or an errno. A
 * plain function on its fast path, each step the rest after one operation.
 */
export function ip_output(stack: NetStack, m: mbuf, dst: number, proto: number): KernelOp<number> {
  const o = work(stack.costs.ipOutputCycles);
  return paid(o)
    ? ip_output_header(stack, m, dst, proto)
    : after(o, ip_output_header, stack, m, dst, proto);
}

function ip_output_header(stack: NetStack, m: mbuf, dst: number, proto: number): KernelOp<number> {
  if (m.len > stack.ifp.nic.mtuBytes) {
    stack.ipstat.ips_cantfrag++;
    const p = stack.probes.drop;
    if (p.on) p.emit(stack.host, m.id, "ips_cantfrag");
    const o = m_freem(stack.mbufs, m);
    return paid(o) ? done(EMSGSIZE) : after(o, done, EMSGSIZE);
  }
  m.ip_src = stack.addr;
  m.ip_dst = dst;
  m.ip_p = proto;
  m.ip_hl = IP_HDR_LEN;
  m.ip_len = m.len;
  m.ip_off = 0;
  m.ip_ttl = IPDEFTTL;
  if (!stack.ifp.if_capenable.txChecksum) {
    const o = in_cksum(stack, IP_HDR_LEN);
    if (!paid(o)) return after(o, ip_output_if, stack, m);
  }
  return ip_output_if(stack, m);
}

function ip_output_if(stack: NetStack, m: mbuf): KernelOp<number> {
  stack.ipstat.ips_localout++;
  const o = if_output(stack.ifp, m);
  return paid(o) ? ip_output_sent(stack, paidValue() as boolean) : after(o, ip_output_sent, stack);
}

function ip_output_sent(stack: NetStack, queued: boolean): KernelOp<number> {
  if (queued) return done(0);
  stack.ipstat.ips_odropped++;
  return done(ENOBUFS);
}
