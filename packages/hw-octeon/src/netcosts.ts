/*
 * What NetBSD's network paths cost on a cnMIPS III core (the ER-4's CN7130
 * and the CN78xx run the same core). Nothing published breaks a BSD stack's
 * cost down by function on any Octeon (calibration.md §2, "Not found"), so
 * every figure is an estimate, chosen so that the whole stays inside the
 * published anchors: a lean Linux forwarding path on Octeon takes ~2,300
 * cycles per packet and EdgeOS's fast path 3,100-5,300 (calibration.md §2),
 * so driver receive + ether_input + ip_input + ip_output + driver transmit
 * here (2,760 with two mbuf set-ups) sits just above the lean floor.
 */

import type { NetCosts } from "@smpnet/sim";

export const cnmipsNetCosts: NetCosts = {
  syscallCycles: 600, // estimate: exception entry, register save, sysent dispatch, return
  mbufCycles: 80, // estimate: a dozen header stores to a line already in L1
  driverRxCycles: 700, // estimate: POW get_work 100-300 (octeon.md §4), WQE parse, FPA refill
  driverTxCycles: 600, // estimate: PKO command and gather list, an IO-space doorbell
  etherInputCycles: 200, // estimate: header checks, ethertype demux
  ipInputCycles: 500, // estimate: header checks, in_ifaddr lookup, pfil with no hooks
  ipOutputCycles: 600, // estimate: route cache, header, ifa and MTU checks
  udpInputCycles: 300, // estimate: header and length checks
  udpOutputCycles: 300, // estimate: header, pseudo-header
  tcpInputCycles: 1_500, // estimate: common path with options (timestamps, SACK)
  tcpOutputCycles: 1_500, // estimate: window and option computation per segment
  pcbLookupCycles: 150, // estimate: hash, a chain of one or two, address compare
  sockbufCycles: 150, // estimate: mbuf chain append and sb_cc bookkeeping
  checksumBytesPerCycle: 2, // estimate: 64-bit add-with-carry loop, dual issue
};

/** Where each constant of `cnmipsNetCosts` comes from. */
export const cnmipsNetCostsSources: Readonly<Record<string, string>> = {
  syscallCycles:
    "estimate: an interrupt's entry and exit are 300 cycles on this core (octeon.md §6); a system " +
    "call adds sysent dispatch and argument copy-in, so twice that",
  mbufCycles:
    "estimate: m_gethdr initialises a dozen header fields in a line the pool_cache just handed out",
  driverRxCycles:
    "estimate: cnmac's receive loop per work-queue entry: POW get_work 100-300 cycles in IO space " +
    "(octeon.md §4), WQE and packet-pointer parse, the mbuf wrapped around the FPA buffer and a " +
    "buffer returned to the FPA",
  driverTxCycles:
    "estimate: cnmac_send builds a PKO command word and gather list and rings the doorbell with an " +
    "IO-space store; the buffer is freed later from the send-done path",
  etherInputCycles:
    "estimate: ether_input checks the header, the ethertype and the destination, then hands the " +
    "packet to pktq_enqueue; a few hundred instructions at IPC ~1",
  ipInputCycles:
    "estimate: ip_input's header and length checks, the in_ifaddr hash lookup under pserialize and " +
    "empty pfil hooks; calibration.md §2 puts a whole lean forwarding path at ~2,300 cycles",
  ipOutputCycles:
    "estimate: ip_output's route cache check, header fill, ifa and MTU checks, if_output call",
  udpInputCycles: "estimate: udp_input's header and length checks, before lookup and append",
  udpOutputCycles: "estimate: udp_output's header and pseudo-header",
  tcpInputCycles:
    "estimate: Clark et al. (1989) counted < 200 instructions for TCP's common path; NetBSD's " +
    "tcp_input with timestamps, SACK and window scaling is several times that (calibration.md §2)",
  tcpOutputCycles:
    "estimate: tcp_output decides what to send, fills options and the header, per segment",
  pcbLookupCycles:
    "estimate: in_pcblookup_connect hashes the 4-tuple and walks a chain of one or two pcbs",
  sockbufCycles: "estimate: sbappend walks to the chain's tail and updates sb_cc and sb_mbcnt",
  checksumBytesPerCycle:
    "estimate: in_cksum on MIPS64 adds 64-bit words with carry; a MIPS32 loop takes ~1 instruction " +
    "per byte (calibration.md §2, openwrt #24570), the 64-bit dual-issue core about twice that",
};
