/*
 * A hardware's modelled constants scaled for a sensitivity check: the
 * profile and the network path's costs are plain data, so a scaled copy is
 * a deep copy with some numbers multiplied. Names are paths into them,
 * "costs.memcpyBytesPerCycle", "costs.fenceCycles.sync",
 * "netCosts.tcpInputCycles".
 */
import type { NetCosts, Profile } from "@smpnet/sim";
import { UsageError } from "../errors.js";

/** The constants a path may name under `root`, as dotted paths. */
function numberPaths(root: string, o: object): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === "number"
      ? [`${root}.${k}`]
      : typeof v === "object" && v !== null
        ? numberPaths(`${root}.${k}`, v)
        : [],
  );
}

export function scaleHardware(
  hw: { profile: Profile; netCosts: NetCosts },
  scale: Readonly<Record<string, number>>,
): { profile: Profile; netCosts: NetCosts } {
  const data = structuredClone({ costs: hw.profile.costs, netCosts: hw.netCosts }) as Record<
    string,
    Record<string, unknown>
  >;
  const known = [...numberPaths("costs", data.costs!), ...numberPaths("netCosts", data.netCosts!)];
  for (const [path, factor] of Object.entries(scale)) {
    if (!known.includes(path)) {
      throw new UsageError(
        `kernel: scale.${path}: not a modelled constant; give one of ${known.join(", ")}`,
      );
    }
    const keys = path.split(".");
    let o = data as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
    const last = keys[keys.length - 1]!;
    o[last] = (o[last] as number) * factor;
  }
  return {
    profile: { ...hw.profile, costs: data.costs as unknown as Profile["costs"] },
    netCosts: data.netCosts as unknown as NetCosts,
  };
}
