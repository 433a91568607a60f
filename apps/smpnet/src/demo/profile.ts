import type { Profile } from "@smpnet/sim";

/**
 * An EdgeRouter-4-like machine for the demonstration, from the estimates of
 * shared/reference/octeon.md section 6 (CN7130, 4 cores at 1 GHz, 128-byte
 * lines). Every cost here is an estimate from that table; the sourced
 * profiles arrive with @smpnet/hw-octeon.
 */
export const er4Estimate: Profile = {
  name: "er4-estimate",
  cpus: 4, // vendor: 4 x cnMIPS III
  clockGHz: 1, // vendor: 1 GHz
  cacheLineBytes: 128, // Linux Kconfig MIPS_L1_CACHE_SHIFT_7 (verified)
  costs: {
    cacheHitCycles: 4, // estimate: L1D hit 3-4 cycles
    lineTransferCycles: 50, // estimate: L2 round trip 40-60 cycles
    invalidatePerSharerCycles: 10, // estimate: write-through L1D, invalidation over the CMB
    atomicRmwCycles: 40, // estimate: uncontended LL/SC pair ~40 cycles
    llscPairCycles: 40, // estimate: same
    fenceCycles: { sync: 100, syncw: 10 }, // estimate: sync 50-150, syncw 5-20
    intrEntryCycles: 150, // estimate: entry + exit 300 ns, split evenly
    intrExitCycles: 150,
    contextSwitchCycles: 2_000, // estimate: 2 us
    ipiSendCycles: 20, // estimate: one CSR write to CIU_MBOX_SETX
    ipiDeliveryCycles: 1_500, // estimate: 1.5 us end to end (CIU mailbox)
    memcpyBytesPerCycle: 1.5, // estimate: 1-2 B/cycle L2-resident
  },
  // evbmips folds the soft levels and SCHED onto HIGH (kernel.md section 1)
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
