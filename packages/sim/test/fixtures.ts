import { type Host, type HostOptions, roundProfile, Simulation } from "../src/index.js";

/** The round test machine at another clock, when a test needs one. */
export function testProfile(cpus = 2, clockGHz = 1) {
  return { ...roundProfile(cpus), name: "test", clockGHz };
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
