import { type Host, type HostOptions, Simulation } from "@smpnet/sim";

/** A 1 GHz machine with round costs and Octeon-like barriers (release = syncw). */
export function testProfile(cpus = 2, opts: { mips?: boolean } = {}) {
  return {
    name: "test",
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
    ...(opts.mips
      ? {
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
        }
      : {}),
  };
}

export function machine(
  cpus = 2,
  opts: Partial<HostOptions> = {},
  seed = 1,
): { sim: Simulation; host: Host } {
  const sim = new Simulation({ seed });
  const host = sim.addHost({ name: "sut", profile: testProfile(cpus), ...opts });
  return { sim, host };
}
