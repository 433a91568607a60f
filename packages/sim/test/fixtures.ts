import { type Host, type HostOptions, Simulation } from "../src/index.js";

/** A 1 GHz test machine with round costs, so expected times are easy to state. */
export function testProfile(cpus = 2, clockGHz = 1) {
  return {
    name: "test",
    cpus,
    clockGHz,
    cacheLineBytes: 64,
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
  };
}

export function machine(
  cpus = 2,
  opts: Partial<HostOptions> = {},
  seed = 1,
  clockGHz = 1,
): { sim: Simulation; host: Host } {
  const sim = new Simulation({ seed });
  const host = sim.addHost({ name: "sut", profile: testProfile(cpus, clockGHz), ...opts });
  return { sim, host };
}
