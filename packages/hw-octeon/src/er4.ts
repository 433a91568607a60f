/*
 * The Cavium Octeon III CN7130 of the Ubiquiti EdgeRouter-4: four cnMIPS III
 * cores at 1 GHz, a shared L2, write-through L1D. References are to
 * shared/reference/octeon.md ("octeon.md §N") unless another source is named.
 * No per-operation timing of cnMIPS III is published; most costs are the
 * estimates of octeon.md §4 and §6, each reasoned there.
 */

import type { Profile } from "@smpnet/sim";

export const er4: Profile = {
  name: "er4",
  cpus: 4,
  clockGHz: 1,
  cacheLineBytes: 128,
  costs: {
    cacheHitCycles: 4,
    lineTransferCycles: 50,
    invalidatePerSharerCycles: 10,
    atomicRmwCycles: 40,
    llscPairCycles: 40,
    fenceCycles: { sync: 100, syncw: 10 },
    intrEntryCycles: 150,
    intrExitCycles: 150,
    contextSwitchCycles: 2_000,
    ipiSendCycles: 20,
    ipiDeliveryCycles: 1_500,
    memcpyBytesPerCycle: 1.5,
  },
  membarOps: { acquire: [], release: ["syncw"], sync: ["sync"] },
  iplLevels: {
    IPL_NONE: 0,
    IPL_SOFTCLOCK: 1,
    IPL_SOFTBIO: 1,
    IPL_SOFTNET: 2,
    IPL_SOFTSERIAL: 2,
    IPL_VM: 3,
    IPL_SCHED: 4,
    IPL_HIGH: 4,
  },
};

const evbmipsIpl =
  "NetBSD sys/arch/evbmips/include/intr.h via kernel.md §1: soft levels folded in pairs, IPL_SCHED = IPL_HIGH";

/** Where each constant of `er4` comes from. */
export const er4Sources: Record<string, string> = {
  cpus: "vendor: 4 x cnMIPS III (octeon.md §1 table)",
  clockGHz: "vendor: 1 GHz; OpenWrt PA-220 README, same SoC (octeon.md §1)",
  cacheLineBytes: "Linux CPU_CAVIUM_OCTEON selects MIPS_L1_CACHE_SHIFT_7 (verified, octeon.md)",
  "costs.cacheHitCycles": "estimate: L1D hit 3-4 cycles, short in-order pipeline (octeon.md §4)",
  "costs.lineTransferCycles":
    "estimate: another core wrote it, so the reader refills from the shared L2, ~40-60 cycles (octeon.md §4, §6)",
  "costs.invalidatePerSharerCycles":
    "estimate: write-through L1D, the L2 invalidates a sharer's copy in the background; a few bus cycles each",
  "costs.atomicRmwCycles":
    "estimate: uncontended LL/SC pair ~40 cycles, SC must reach L2 (octeon.md §4)",
  "costs.llscPairCycles": "estimate: same as the atomic, which is an LL/SC pair (octeon.md §4)",
  "costs.fenceCycles.sync":
    "estimate: full sync drains the write buffer, 50-150 cycles (octeon.md §4)",
  "costs.fenceCycles.syncw": "estimate: orders writes without waiting, 5-20 cycles (octeon.md §4)",
  "costs.intrEntryCycles": "estimate: entry + exit 300 ns (octeon.md §6), split evenly",
  "costs.intrExitCycles": "estimate: entry + exit 300 ns (octeon.md §6), split evenly",
  "costs.contextSwitchCycles": "estimate: 2 us, no measurement found (octeon.md §6)",
  "costs.ipiSendCycles":
    "estimate: one CSR write to CIU_MBOX_SETX (Linux cavium-octeon/smp.c, octeon.md §4)",
  "costs.ipiDeliveryCycles": "estimate: 1.5 us end to end through the CIU mailbox (octeon.md §6)",
  "costs.memcpyBytesPerCycle": "estimate: 1-2 B/cycle L2-resident (octeon.md §4)",
  "iplLevels.IPL_NONE": evbmipsIpl,
  "iplLevels.IPL_SOFTCLOCK": evbmipsIpl,
  "iplLevels.IPL_SOFTBIO": evbmipsIpl,
  "iplLevels.IPL_SOFTNET": evbmipsIpl,
  "iplLevels.IPL_SOFTSERIAL": evbmipsIpl,
  "iplLevels.IPL_VM": evbmipsIpl,
  "iplLevels.IPL_SCHED": evbmipsIpl,
  "iplLevels.IPL_HIGH": evbmipsIpl,
};
