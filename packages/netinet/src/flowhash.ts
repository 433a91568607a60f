/*
 * A packet's flow hash over its 4-tuple, the role the NIC's RSS hash and
 * NetBSD's pktq_rps_hash_toeplitz play: packets of one flow always get the
 * same value, flows spread over queues and CPUs. The function is a
 * multiplicative mix, not the Toeplitz hash (estimate: any well-spreading
 * hash gives the same placement statistics).
 */

export function flowHash(src: number, dst: number, sport: number, dport: number): number {
  let h = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ dst ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ ((sport << 16) | dport) ^ (h >>> 16), 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

/** The receive-side packet steering of ip_pktq (sysctl net.ether.rps_hash). */
export const RPS_HASHES = ["zero", "curcpu", "flow"] as const;
export type RpsHash = (typeof RPS_HASHES)[number];
