import type { NetCosts } from "./netcosts.js";
import type { Nic } from "./nic.js";
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

/**
 * A gigabit NIC with round numbers and no offloads, for tests and examples
 * beside roundProfile: one receive queue, 256-slot rings, no hold-off.
 */
export function roundNic(): Nic {
  return {
    name: "round",
    ports: 1,
    speedMbps: 1_000,
    mtuBytes: 1_500,
    rxQueues: 1,
    rxRingSize: 256,
    txRingSize: 256,
    rxProcessLimit: "unlimited",
    interruptModeration: { holdoffUs: 0, adaptive: false },
    offloads: { rxChecksum: false, txChecksum: false, tso: false, lro: false },
  };
}

/** Network path costs with round numbers, for tests and examples beside roundProfile. */
export function roundNetCosts(): NetCosts {
  return {
    syscallCycles: 500,
    mbufCycles: 100,
    driverRxCycles: 500,
    driverTxCycles: 500,
    etherInputCycles: 200,
    ipInputCycles: 500,
    ipOutputCycles: 500,
    udpInputCycles: 300,
    udpOutputCycles: 300,
    tcpInputCycles: 1_000,
    tcpOutputCycles: 1_000,
    pcbLookupCycles: 100,
    sockbufCycles: 100,
    checksumBytesPerCycle: 2,
  };
}
