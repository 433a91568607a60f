/*
 * An x86-64 server for contrast: 16 cores at 3 GHz (a Zen 4 or Sapphire
 * Rapids class part), TSO, 64-byte lines. References are to
 * shared/reference/octeon.md §5 and §6 ("octeon.md §N"), which collect the
 * x86 figures next to the Octeon's.
 */

import type { Profile } from "@smpnet/sim";

export const x86: Profile = {
  name: "x86",
  cpus: 16,
  clockGHz: 3,
  cacheLineBytes: 64,
  costs: {
    cacheHitCycles: 4,
    lineTransferCycles: 51,
    invalidatePerSharerCycles: 15,
    atomicRmwCycles: 20,
    llscPairCycles: 20,
    fenceCycles: { mfence: 33 },
    intrEntryCycles: 1_050,
    intrExitCycles: 1_050,
    contextSwitchCycles: 6_000,
    ipiSendCycles: 300,
    ipiDeliveryCycles: 4_500,
    memcpyBytesPerCycle: 16,
  },
  // TSO: acquire and release need only the compiler; NetBSD's membar_sync is a
  // locked add to the stack, priced as an mfence here
  membarOps: { acquire: [], release: [], sync: ["mfence"] },
};

export const x86Sources: Record<string, string> = {
  cpus: "chosen: a 16-core server (octeon.md §6)",
  clockGHz: "chosen: 3 GHz (octeon.md §6)",
  cacheLineBytes: "architectural: 64 B (octeon.md §5)",
  "costs.cacheHitCycles": "estimate: L1 ~1.3 ns at 3 GHz (octeon.md §6)",
  "costs.lineTransferCycles":
    "measured: core-to-core within a Zen 4 CCX 15-19 ns (AnandTech Ryzen 9 7950X review, octeon.md §5); 17 ns at 3 GHz",
  "costs.invalidatePerSharerCycles": "estimate: a snoop to another core of the CCX, about 5 ns",
  "costs.atomicRmwCycles":
    "unverified: LOCK RMW on a line in L1 ~18-25 cycles (Agner Fog's tables, octeon.md §5)",
  "costs.llscPairCycles":
    "x86 has no LL/SC; a LOCK CMPXCHG loop stands for it, priced as the locked RMW (octeon.md §5)",
  "costs.fenceCycles.mfence": "unverified: MFENCE ~30-40 cycles (Agner Fog, octeon.md §5)",
  "costs.intrEntryCycles":
    "estimate: entry + exit ~0.5-1 us with mitigations (octeon.md §5); 700 ns split evenly",
  "costs.intrExitCycles":
    "estimate: entry + exit ~0.5-1 us with mitigations (octeon.md §5); 700 ns split evenly",
  "costs.contextSwitchCycles": "estimate: ~2 us (octeon.md §5, §6)",
  "costs.ipiSendCycles": "estimate: an x2APIC ICR write, ~100 ns",
  "costs.ipiDeliveryCycles": "estimate: IPI ~1-2 us end to end (octeon.md §5); 1.5 us",
  "costs.memcpyBytesPerCycle": "estimate: 16-32 B/cycle from L1/L2 (octeon.md §5); the low end",
};
