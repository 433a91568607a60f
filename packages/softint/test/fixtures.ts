import {
  type Host,
  IPL_NAMES,
  IPL_SOFTSERIAL,
  type KernelGen,
  type Lwp,
  PRI_KTHREAD,
  roundProfile,
  Simulation,
} from "@smpnet/sim";
import { type SoftintConfig, softint_init } from "../src/index.js";

/**
 * The soft IPLs folded in pairs as evbmips folds them (sys/arch/mips/include/
 * intr.h: SOFTCLOCK = SOFTBIO, SOFTNET = SOFTSERIAL), the levels above in
 * order: the shape of the ER-4 profile's iplLevels.
 */
export const MIPS_IPLS = Object.fromEntries(
  IPL_NAMES.map((n, i) => [n, i <= IPL_SOFTSERIAL ? Math.ceil(i / 2) : i - 2]),
);

/**
 * The round 1 GHz test machine of @smpnet/sim with softints: a cycle is a
 * nanosecond, a tick is 10 ms. `mips` folds the soft IPLs as evbmips does;
 * `inPlace: false` sends every operation through the event loop.
 */
export function machine(
  cpus: number,
  config: SoftintConfig = { variant: "netbsd" },
  opts: { mips?: boolean; seed?: number; inPlace?: boolean } = {},
): { sim: Simulation; host: Host } {
  const sim = new Simulation({ seed: opts.seed ?? 1, inPlace: opts.inPlace ?? true });
  const profile = { ...roundProfile(cpus), name: "test" };
  const host = sim.addHost({
    name: "sut",
    profile: opts.mips ? { ...profile, iplLevels: MIPS_IPLS } : profile,
    hardclockSlices: true,
  });
  softint_init(host, config);
  return { sim, host };
}

/** A bound kernel thread on `cpu` running `body`. */
export function kthread(host: Host, name: string, cpu: number, body: () => KernelGen): Lwp {
  return host.kthread_create({ name, pri: PRI_KTHREAD, cpu, bound: true, body });
}
