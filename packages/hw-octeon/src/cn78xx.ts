/*
 * A large Octeon: a 48-core Octeon III of the CN78xx family (the top part,
 * marketed as the CN7890; the part number is vendor material not re-read
 * here), with 10 GbE ports on its BGX MACs, for the questions that need tens
 * of cores. It has the ER-4's cnMIPS III core, so what the core does alone is
 * priced as on the ER-4 (er4.ts); what crosses the die (a line's trip to a
 * larger L2 split over eight tag-and-data units, behind a larger crossbar) is
 * estimated dearer. Nothing in ../shared/reference/ measures any of it.
 *
 * NetBSD's Octeon port drives the ER-4's Octeon II-style packet blocks; the
 * CN78xx's PKI/SSO/PKO3 blocks have a BSD driver only in OpenBSD's ogx(4),
 * from which the NIC's defaults are taken. The IPLs are those NetBSD's MIPS
 * port would use.
 */

import type { Nic, Profile } from "@smpnet/sim";
import { er4, er4Sources } from "./er4.js";

export const cn78xx: Profile = {
  name: "cn78xx",
  cpus: 48, // source: CVMX_MAX_CORES 48 (U-Boot mach-octeon cvmx-regs.h); vendor "1-48 cores"
  clockGHz: 2, // estimate: a mid bin of the family's clocks (up to 2.5 GHz, unverified)
  cacheLineBytes: 128, // source: CVMX_CACHE_LINE_SIZE 128 for every Octeon (Linux cvmx.h)
  costs: {
    cacheHitCycles: 4, // estimate: the ER-4's core (er4.ts)
    lineTransferCycles: 80, // estimate: the ER-4's 50 plus a longer trip to a banked L2
    invalidatePerSharerCycles: 10, // estimate: as on the ER-4
    atomicRmwCycles: 64, // estimate: the ER-4's 40, with the SC's L2 trip 80/50 longer
    llscPairCycles: 64, // estimate: as atomicRmwCycles
    fenceCycles: {
      sync: 160, // estimate: the ER-4's 100, with the drain to L2 80/50 longer
      syncw: 10, // estimate: ordering within the core, as on the ER-4
    },
    intrEntryCycles: 300, // estimate: the ER-4's 150 ns; IO-space CSR access does not scale
    intrExitCycles: 300, // estimate: as intrEntryCycles
    contextSwitchCycles: 3_000, // estimate: the ER-4's 2000, misses dearer at twice the clock
    ipiSendCycles: 40, // estimate: the ER-4's 20 ns CSR store
    ipiDeliveryCycles: 2_660, // estimate: the ER-4's 1.5 us end to end, less send and entry
    memcpyBytesPerCycle: 1.5, // estimate: the ER-4's core
  },
  membarOps: er4.membarOps!, // source: the same __OCTEON__ membar_ops.S as the ER-4
  iplLevels: er4.iplLevels!, // source: NetBSD's MIPS intr.h, as on the ER-4
};

const sameCore = (what: string) =>
  `estimate: ${what} as on the ER-4 (er4Sources): the CN78xx has the same cnMIPS III core`;

/** Where each constant of `cn78xx` comes from, by its dotted path. */
export const cn78xxSources: Readonly<Record<string, string>> = {
  cpus:
    "source: U-Boot arch/mips/mach-octeon/include/mach/cvmx-regs.h (S. Roese, 2020, Octeon III " +
    "support): CVMX_MAX_CORES 48; vendor: the Octeon family spans 1-48 cores (semiaccurate.com, " +
    "2013-06-20); the 48-core part is the CN78xx (CN7890, vendor, not re-read)",
  clockGHz:
    "estimate: Cavium's 2012 Octeon III announcement gave clocks up to 2.5 GHz (unverified in this " +
    "pass); 2 GHz is taken as a mid bin",
  cacheLineBytes:
    "source: CVMX_CACHE_LINE_SIZE 128 in Linux arch/mips/include/asm/octeon/cvmx.h, used for every " +
    "Octeon model; NetBSD OCTEON_CACHE_LINE_SIZE 128",
  "costs.cacheHitCycles": sameCore("an L1D hit, 3-4 cycles,"),
  "costs.lineTransferCycles":
    "estimate: the ER-4's 50-cycle refill from an L2 at core clock, plus ~30 cycles for a 48-core die: " +
    "the L2 is split over tag-and-data units (U-Boot cvmx-regs.h defines MAX_CORE_TADS 8) behind a larger " +
    "crossbar; no measurement exists (calibration.md §3)",
  "costs.invalidatePerSharerCycles": sameCore(
    "an L1 invalidation sent by the L2, a few bus cycles,",
  ),
  "costs.atomicRmwCycles":
    "estimate: an LL/SC pair whose SC must reach the L2, the ER-4's 40 cycles scaled by the longer " +
    "L2 trip (80/50): 64",
  "costs.llscPairCycles": "estimate: as costs.atomicRmwCycles (the ER-4's 40, scaled by 80/50)",
  "costs.fenceCycles.sync":
    "estimate: a sync drains the write buffer to the L2 and waits, the ER-4's 100 cycles scaled by the " +
    "longer L2 trip (80/50): 160",
  "costs.fenceCycles.syncw": sameCore(
    "syncw orders stores inside the core without waiting, 10 cycles",
  ),
  "costs.intrEntryCycles":
    "estimate: the ER-4's 150 ns, now 300 cycles: the interrupt controller's CSRs (CIU3 on CN78xx, " +
    "CVMX_CIU3_* in U-Boot cvmx-regs.h) are read over the IO bus, which does not speed up with the core",
  "costs.intrExitCycles": "estimate: as costs.intrEntryCycles, the ER-4's 150 ns at 2 GHz",
  "costs.contextSwitchCycles":
    "estimate: the ER-4's 2000 cycles of instructions, plus cache and TLB misses that cost more cycles " +
    "at twice the clock: 3000 (1.5 us)",
  "costs.ipiSendCycles": "estimate: the ER-4's 20 ns posted CSR store to the mailbox, at 2 GHz",
  "costs.ipiDeliveryCycles":
    "estimate: the ER-4's 1.5 us from send to handler (octeon.md §6), 3000 cycles at 2 GHz, less the " +
    "sender's 40 and the target's 300 of interrupt entry that the machine charges apart",
  "costs.memcpyBytesPerCycle": sameCore("1.5 B/cycle with the data in L2,"),
  "membarOps.acquire": er4Sources["membarOps.acquire"]!,
  "membarOps.release": er4Sources["membarOps.release"]!,
  "membarOps.sync": er4Sources["membarOps.sync"]!,
  ...Object.fromEntries(
    Object.entries(er4Sources)
      .filter(([k]) => k.startsWith("iplLevels."))
      .map(([k, s]) => [
        k,
        `${s}. NetBSD is not known to run on a CN78xx; these are its MIPS IPLs`,
      ]),
  ),
};

/** Four 10 GbE ports on the CN78xx's BGX MACs, with OpenBSD ogx(4)'s defaults. */
export const cn78xxNic: Nic = {
  name: "ogx(4)-style driver on the CN78xx's BGX/PKI/SSO/PKO3 blocks: 4 x 10 GbE (XFI)",
  ports: 4, // estimate: four XFI lanes of one BGX; the part has MACs for more
  speedMbps: 10_000, // source: ogx's XFI link, link_fifo_speed 10000 (if_ogx.c)
  mtuBytes: 1_500, // source: Ethernet's ETHERMTU, the default
  rxQueues: 4, // source: one SSO group per port for receive (if_ogx.c PORT_GROUP_RX)
  rxRingSize: 128, // source: 128 packet buffers loaded per port (if_ogx.c sc_rxused)
  txRingSize: 128, // source: 128 packets in flight per port (if_ogx.c sc_txfree)
  rxProcessLimit: "unlimited", // source: ogx_rxintr takes work until the group is empty
  interruptModeration: {
    holdoffUs: 0, // source: SSO_GRP_INT_THR = 1, an interrupt at the first entry (if_ogx.c)
    adaptive: false, // source: ogx never changes the threshold (if_ogx.c)
  },
  offloads: {
    rxChecksum: false, // source: ogx_rxintr marks no checksum as verified (if_ogx.c)
    txChecksum: true, // source: IFCAP_CSUM_* advertised (if_ogx.c)
    tso: false, // source: not advertised (if_ogx.c)
    lro: false, // source: not advertised (if_ogx.c)
  },
};

const ogx = "OpenBSD sys/arch/octeon/dev/if_ogx.c v1.4 (V. Hankala, 2020)";

/** Where each constant of `cn78xxNic` comes from, by its dotted path. */
export const cn78xxNicSources: Readonly<Record<string, string>> = {
  ports:
    `estimate: four 10 GbE ports, the four lanes of one BGX block run as XFI; ${ogx} configures the ` +
    "CN78xx with 28 MACs (ogx_cn78xx_config.cfg_nmacs), so a board may have more",
  speedMbps:
    `source: ${ogx} declares the XFI link at 10000 Mbit/s (ogx_xfi_link_ops.link_fifo_speed); that ` +
    "version brings up SGMII links only, so the 10 GbE path is the hardware's, not a driver's in use",
  mtuBytes: "source: ETHERMTU 1500, the default Ethernet MTU",
  rxQueues: `source: ${ogx}: each port receives through its own SSO group (PORT_GROUP_RX) with its own interrupt`,
  rxRingSize: `source: ${ogx}: sc_rxused = 128 packet buffers loaded into the port's FPA aura, refilled after each interrupt`,
  txRingSize: `source: ${ogx}: sc_txfree = 128 packets in flight per port before the queue stops`,
  rxProcessLimit: `source: ${ogx}: ogx_rxintr calls ogx_get_work until the SSO group has no work`,
  "interruptModeration.holdoffUs": `source: ${ogx}: ogx_init writes SSO_GRP_INT_THR = 1, an interrupt as soon as one entry is queued`,
  "interruptModeration.adaptive": `source: ${ogx}: the threshold is written once in ogx_init and never retuned`,
  "offloads.rxChecksum": `source: ${ogx}: ogx_rxintr drops packets the PKI marks with an error at level 0-1 (work word 2) and sets no checksum-verified flag`,
  "offloads.txChecksum": `source: ${ogx}: if_capabilities = IFCAP_CSUM_IPv4 | TCPv4 | UDPv4 | TCPv6 | UDPv6`,
  "offloads.tso": `source: ${ogx}: no IFCAP_TSO in if_capabilities`,
  "offloads.lro": `source: ${ogx}: no IFCAP_LRO in if_capabilities`,
};
