import type { Profile } from "./profile.js";

/**
 * A machine with round numbers, for tests, benchmarks and examples whose
 * expected times should be easy to state: 1 GHz (a cycle is a nanosecond),
 * Octeon-like barriers. Not a model of any hardware: the sourced profiles
 * are in @smpnet/hw-octeon and @smpnet/hw-x86.
 */
export function roundProfile(cpus: number): Profile {
  return {
    name: "round",
    cpus,
    clockGHz: 1,
    cacheLineBytes: 128,
    costs: {
      cacheHitCycles: 1,
      lineTransferCycles: 50,
      invalidatePerSharerCycles: 10,
      atomicRmwCycles: 20,
      llscPairCycles: 40,
      fenceCycles: { sync: 100, syncw: 10 },
      intrEntryCycles: 100,
      intrExitCycles: 50,
      contextSwitchCycles: 1000,
      ipiSendCycles: 10,
      ipiDeliveryCycles: 500,
      memcpyBytesPerCycle: 2,
    },
    membarOps: { acquire: [], release: ["syncw"], sync: ["sync"] },
  };
}
