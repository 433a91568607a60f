/*
 * What a machine's network stack costs, as plain data: the cycles of each
 * netinet path on one of its cores, beyond what the machine already charges
 * (cache lines, locks, interrupts, memcpy at the profile's rate). The stack
 * (@smpnet/netinet) reads it; the hardware packages fill it, each constant
 * with its source. It lives here, beside Profile and Nic, because those
 * packages may depend only on @smpnet/sim.
 */

import * as v from "valibot";
import { checkSchema, sourceGaps } from "./schema-check.js";

const cycles = (what: string) =>
  v.pipe(
    v.number(`expected a number of cycles (${what})`),
    v.finite(`expected a finite number of cycles (${what})`),
    v.minValue(0, `expected a non-negative number of cycles (${what})`),
  );

export const NetCostsSchema = v.strictObject({
  syscallCycles: cycles("a system call's trap into the kernel and return"),
  mbufCycles: cycles("m_get/m_gethdr or m_free beyond the pool_cache: header set-up"),
  driverRxCycles: cycles("the driver's work per received frame: descriptor, buffer, counters"),
  driverTxCycles: cycles("the driver's work per sent frame: descriptor set-up and doorbell"),
  etherInputCycles: cycles("ether_input: header checks and demultiplexing"),
  ipInputCycles: cycles("ip_input without checksum or protocol work"),
  ipOutputCycles: cycles("ip_output: route, header, fragmentation check"),
  udpInputCycles: cycles("udp_input without checksum, lookup or append"),
  udpOutputCycles: cycles("udp_output: header"),
  tcpInputCycles: cycles("tcp_input's common path without checksum, lookup or append"),
  tcpOutputCycles: cycles("tcp_output's common path per segment"),
  pcbLookupCycles: cycles("an in_pcblookup hash probe and compare"),
  sockbufCycles: cycles("sbappend or sbdrop bookkeeping"),
  checksumBytesPerCycle: v.pipe(
    v.number("expected bytes per cycle (in_cksum in software)"),
    v.finite("expected a finite number of bytes per cycle"),
    v.gtValue(0, "expected bytes per cycle above 0"),
  ),
});

export type NetCosts = v.InferOutput<typeof NetCostsSchema>;

/**
 * Checks a table of network path costs and returns it typed; throws a
 * SimError naming every wrong, missing or unknown field.
 */
export function validateNetCosts(input: unknown, what = "netCosts"): NetCosts {
  return checkSchema(NetCostsSchema, input, what, "NetCosts");
}

/** What a record of sources for `costs` leaves out or keeps for nothing. */
export function netCostsSourceGaps(
  costs: NetCosts,
  sources: Readonly<Record<string, string>>,
): { missing: string[]; stale: string[] } {
  return sourceGaps(Object.keys(costs), sources);
}
