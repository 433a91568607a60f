/*
 * IPv4 output, after NetBSD sys/netinet/ip_output.c: one route (every
 * destination is reached through the host's one interface), the header
 * filled in, its checksum computed in software unless the NIC offloads it,
 * and the packet handed to if_output. A packet larger than the MTU would be
 * fragmented by the kernel; the model does not fragment and refuses it
 * (ips_cantfrag, EMSGSIZE). A full interface queue drops it (ips_odropped,
 * ENOBUFS).
 */

import { type KernelGen, work } from "@smpnet/sim";
import { IP_HDR_LEN, IPDEFTTL } from "./constants.js";
import { if_output } from "./if.js";
import { in_cksum } from "./in_cksum.js";
import { m_freem, type mbuf } from "./mbuf.js";
import { EMSGSIZE, ENOBUFS } from "./socketvar.js";
import type { NetStack } from "./stack.js";

/** Sends `m` (whose len includes the IP header) to `dst`; 0 or an errno. */
export function* ip_output(
  stack: NetStack,
  m: mbuf,
  dst: number,
  proto: number,
): KernelGen<number> {
  const st = stack.ipstat;
  yield* work(stack.costs.ipOutputCycles);
  if (m.len > stack.ifp.nic.mtuBytes) {
    st.ips_cantfrag++;
    const p = stack.probes.drop;
    if (p.on) p.emit(stack.host, m.id, "ips_cantfrag");
    yield* m_freem(stack.mbufs, m);
    return EMSGSIZE;
  }
  m.ip_src = stack.addr;
  m.ip_dst = dst;
  m.ip_p = proto;
  m.ip_hl = IP_HDR_LEN;
  m.ip_len = m.len;
  m.ip_off = 0;
  m.ip_ttl = IPDEFTTL;
  if (!stack.ifp.if_capenable.txChecksum) yield* in_cksum(stack, IP_HDR_LEN);
  st.ips_localout++;
  if (!(yield* if_output(stack.ifp, m))) {
    st.ips_odropped++;
    return ENOBUFS;
  }
  return 0;
}
