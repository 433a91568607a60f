/*
 * IPv4 input, after NetBSD sys/netinet/ip_input.c: ipintr drains the
 * network softint's queue and calls ip_input for each packet, which checks
 * the header (length, version, checksum unless the NIC verified it), trims
 * link padding, and hands packets for this host to their protocol through
 * inetsw. What the model does not handle is dropped and counted as the
 * kernel counts it: options (ips_badoptions), fragments (ips_fragments, no
 * reassembly here), packets for another host (ips_cantforward: no
 * forwarding), an unknown protocol (ips_noproto).
 *
 * Runs in the network softint (or thread, per softint variant) inside the
 * policy's `input` lock point, which ipintr takes once per run over the
 * queue (ipintr_drain).
 */

import { kfn, kfnOp } from "@smpnet/core";
import { after, curcpu, type KernelGen, type KernelOp, paid, paidValue, work } from "@smpnet/sim";
import type { PktqDrain } from "@smpnet/softint";
import { IP_HDR_LEN, IP_MF, IP_OFFMASK, IPPROTO_TCP, IPPROTO_UDP } from "./constants.js";
import { stat_drop } from "./drop.js";
import { in_cksum } from "./in_cksum.js";
import { m_adj, m_pullup, type mbuf } from "./mbuf.js";
import type { NetStack } from "./stack.js";
import type { ipstat } from "./stats.js";
import { tcp_input as tcp_input_body } from "./tcp_input.js";
import { udp_input as udp_input_body } from "./udp_usrreq.js";

// named for lockstat's and lockdebug's callers: the protocols' input is where the stack takes socket locks
const tcp_input = kfnOp("tcp_input", tcp_input_body);
const udp_input = kfn("udp_input", udp_input_body);

/**
 * ipintr's locking: the policy's input point around each run over ip_pktq
 * (SOFTNET_KERNEL_LOCK_UNLESS_NET_MPSAFE around the dequeue loop).
 */
export function ipintr_drain(stack: NetStack): PktqDrain {
  return {
    enter: () => stack.locks.input.enter(stack),
    exit: () => stack.locks.input.exit(stack),
  };
}

function ip_drop(stack: NetStack, m: mbuf, counter: keyof ipstat): KernelGen {
  return stat_drop(stack, m, stack.ipstat, counter);
}

// ip_input is a plain function on its fast path, each step the rest after
// one operation; it hands the caller the protocol's input to run.
export function ip_input(stack: NetStack, m: mbuf): KernelOp<void> {
  stack.ipstat.ips_total++;
  const p = stack.probes.ip_input;
  if (p.on) p.emit(curcpu(), m.id);
  const o = work(stack.costs.ipInputCycles);
  return paid(o) ? ip_input_pullup(stack, m) : after(o, ip_input_pullup, stack, m);
}

function ip_input_pullup(stack: NetStack, m: mbuf): KernelOp<void> {
  if (m.len < IP_HDR_LEN) return ip_drop(stack, m, "ips_toosmall");
  const o = m_pullup(m, IP_HDR_LEN, stack.memcpyBytesPerCycle);
  return paid(o)
    ? ip_input_header(stack, m, paidValue() as boolean)
    : after(o, ip_input_header, stack, m);
}

function ip_input_header(stack: NetStack, m: mbuf, pulled: boolean): KernelOp<void> {
  if (!pulled) return ip_drop(stack, m, "ips_toosmall");
  const hlen = m.ip_hl;
  if (hlen < IP_HDR_LEN) return ip_drop(stack, m, "ips_badhlen");
  if (hlen > IP_HDR_LEN) return ip_drop(stack, m, "ips_badoptions");
  if (!m.csumVerified) {
    const o = in_cksum(stack, hlen);
    if (!paid(o)) return after(o, ip_input_deliver, stack, m, hlen);
  }
  return ip_input_deliver(stack, m, hlen);
}

function ip_input_deliver(stack: NetStack, m: mbuf, hlen: number): KernelOp<void> {
  const st = stack.ipstat;
  if (m.corrupt) return ip_drop(stack, m, "ips_badsum");
  if (m.ip_len < hlen) return ip_drop(stack, m, "ips_badlen");
  if (m.len < m.ip_len) return ip_drop(stack, m, "ips_tooshort");
  if (m.len > m.ip_len) m_adj(m, m.ip_len - m.len);
  if (m.ip_dst !== stack.addr) return ip_drop(stack, m, "ips_cantforward");
  if ((m.ip_off & (IP_MF | IP_OFFMASK)) !== 0) return ip_drop(stack, m, "ips_fragments");
  // inetsw[ip_protox[ip->ip_p]].pr_input
  if (m.ip_p === IPPROTO_UDP) {
    st.ips_delivered++;
    return udp_input(stack, m, hlen);
  }
  if (m.ip_p === IPPROTO_TCP) {
    st.ips_delivered++;
    return tcp_input(stack, m, hlen);
  }
  return ip_drop(stack, m, "ips_noproto");
}
