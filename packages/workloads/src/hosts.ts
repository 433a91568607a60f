/*
 * The two hosts of an assembled kernel by the names a user gives them:
 * `dut` (the system under test) and `peer`, or their dotted addresses.
 */

import { DUT_ADDR, type NetKernel, type NetStack, PEER_ADDR } from "@smpnet/netinet";

export function dotted(addr: number): string {
  return [24, 16, 8, 0].map((s) => (addr >>> s) & 0xff).join(".");
}

export function resolveHost(k: NetKernel, name: string): NetStack | null {
  if (name === "dut" || name === dotted(DUT_ADDR)) return k.dut;
  if (name === "peer" || name === dotted(PEER_ADDR)) return k.peer;
  return null;
}
