import { type Host, type HostOptions, roundProfile, Simulation } from "@smpnet/sim";

/** The round test machine of @smpnet/sim. */
export function testProfile(cpus = 2) {
  return { ...roundProfile(cpus), name: "test" };
}

export function machine(
  cpus = 2,
  opts: Partial<HostOptions> = {},
  seed = 1,
  inPlace = true,
): { sim: Simulation; host: Host } {
  const sim = new Simulation({ seed, inPlace });
  const host = sim.addHost({ name: "sut", profile: testProfile(cpus), ...opts });
  return { sim, host };
}
