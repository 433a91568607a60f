/*
 * What NetBSD's network paths cost on the x86 server's core. The anchor is
 * Rizzo's netmap paper (calibration.md §2): a socket UDP send on FreeBSD
 * takes ~2,800-3,000 cycles per packet on a 2.93 GHz core, everything from
 * the system call to the driver's doorbell; syscall + mbuf + udp_output +
 * ip_output + driver transmit here make 1,810, and the rest of that figure
 * is what the machine charges apart (the user copy, locks, cache misses).
 * Every figure is an estimate.
 */

import type { NetCosts } from "@smpnet/sim";

export const x86NetCosts: NetCosts = {
  syscallCycles: 700, // estimate: syscall/sysret with speculation mitigations, ~230 ns at 3 GHz
  mbufCycles: 60, // estimate: header set-up in a line the pool_cache handed out
  driverRxCycles: 500, // estimate: descriptor read, buffer refill, counters
  driverTxCycles: 500, // estimate: descriptor write, doorbell (an uncached store)
  etherInputCycles: 150, // estimate: header checks, ethertype demux
  ipInputCycles: 400, // estimate: header checks, address lookup
  ipOutputCycles: 500, // estimate: route cache, header, MTU checks
  udpInputCycles: 250, // estimate: header and length checks
  udpOutputCycles: 250, // estimate: header, pseudo-header
  tcpInputCycles: 1_200, // estimate: common path with options
  tcpOutputCycles: 1_200, // estimate: per segment
  pcbLookupCycles: 100, // estimate: hash and compare
  sockbufCycles: 100, // estimate: chain append and counters
  checksumBytesPerCycle: 8, // estimate: 64-bit adc loop, out-of-order core
};

/** Where each constant of `x86NetCosts` comes from. */
export const x86NetCostsSources: Readonly<Record<string, string>> = {
  syscallCycles:
    "estimate: a bare syscall/sysret is ~100 cycles; with the page-table and speculation " +
    "mitigations NetBSD enables, a few hundred ns; 700 cycles at 3 GHz",
  mbufCycles: "estimate: m_gethdr initialises a dozen fields of a line already in L1",
  driverRxCycles:
    "estimate: ixg's receive loop per descriptor: status read, buffer refill, length and counters",
  driverTxCycles: "estimate: ixg's transmit: descriptor write and a tail-register doorbell",
  etherInputCycles: "estimate: ether_input's header, ethertype and destination checks",
  ipInputCycles: "estimate: ip_input's header checks and in_ifaddr lookup, empty pfil hooks",
  ipOutputCycles:
    "estimate: within Rizzo's ~2,900-cycle UDP send path (calibration.md §2), ip_output's share",
  udpInputCycles: "estimate: udp_input's header and length checks",
  udpOutputCycles:
    "estimate: within Rizzo's ~2,900-cycle UDP send path (calibration.md §2), udp_output's share",
  tcpInputCycles:
    "estimate: several times the < 200 instructions Clark et al. counted (calibration.md §2), " +
    "at a higher IPC than the in-order Octeon",
  tcpOutputCycles: "estimate: tcp_output per segment, options and header",
  pcbLookupCycles: "estimate: a 4-tuple hash and a short chain",
  sockbufCycles: "estimate: sbappend's tail walk and counters",
  checksumBytesPerCycle:
    "estimate: an out-of-order core sums 8 bytes per cycle with 64-bit add-with-carry",
};
