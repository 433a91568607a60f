/*
 * Dropping a packet on the input path: one counter of the protocol's
 * statistics (ipstat, udpstat, tcpstat) goes up, the drop probe names it,
 * and the mbuf chain is freed. Every drop goes through here, so each
 * dropped packet is counted exactly once.
 */

import type { KernelGen } from "@smpnet/sim";
import { m_freem, type mbuf } from "./mbuf.js";
import type { NetStack } from "./stack.js";

export function* stat_drop<K extends string>(
  stack: NetStack,
  m: mbuf,
  stat: Record<K, number>,
  counter: K,
): KernelGen {
  stat[counter]++;
  const p = stack.probes.drop;
  if (p.on) p.emit(stack.host, m.id, counter);
  yield* m_freem(stack.mbufs, m);
}
