/*
 * The type of a hardware profile: what a machine's CPUs cost, in cycles of
 * the CPU that pays. This package defines the shape and checks it; the real
 * numbers, each with its source, live in @smpnet/hw-octeon and @smpnet/hw-x86.
 * A user's own profile is a plain object that passes the same check.
 */

import * as v from "valibot";
import { SimError } from "./errors.js";
import { IPL_NAMES, type IplName } from "./ipl.js";
import { checkSchema, sourceGaps } from "./schema-check.js";

const cycles = (what: string) =>
  v.pipe(
    v.number(`expected a number of cycles (${what})`),
    v.finite(`expected a finite number of cycles (${what})`),
    v.minValue(0, `expected a non-negative number of cycles (${what})`),
  );

const CostsSchema = v.strictObject({
  cacheHitCycles: cycles("a load or store that hits a line this CPU holds"),
  lineTransferCycles: cycles("moving a line from another CPU or the shared cache"),
  invalidatePerSharerCycles: cycles("invalidating one other sharer on a write"),
  atomicRmwCycles: cycles("an atomic read-modify-write beyond owning the line"),
  llscPairCycles: cycles("an LL/SC pair beyond owning the line"),
  fenceCycles: v.record(
    v.string(),
    cycles("each fence kind the ISA has, e.g. { sync: 100, syncw: 10 }"),
  ),
  intrEntryCycles: cycles("taking an interrupt: vector, register save"),
  intrExitCycles: cycles("returning from an interrupt"),
  contextSwitchCycles: cycles("switching from one LWP to another"),
  ipiSendCycles: cycles("what the sender of an IPI pays"),
  ipiDeliveryCycles: cycles("from sending an IPI to its handler starting on the target"),
  memcpyBytesPerCycle: v.pipe(
    v.number("expected bytes per cycle"),
    v.finite("expected a finite number of bytes per cycle"),
    v.gtValue(0, "expected bytes per cycle above 0"),
  ),
});

const IplLevelsSchema = v.strictObject(
  Object.fromEntries(
    IPL_NAMES.map((n) => [
      n,
      v.pipe(
        v.number("expected a hardware level"),
        v.integer("expected an integer hardware level"),
      ),
    ]),
  ) as Record<IplName, v.SchemaWithPipe<[v.NumberSchema<string>, v.IntegerAction<number, string>]>>,
);

export const ProfileSchema = v.strictObject({
  name: v.pipe(v.string("expected a name"), v.minLength(1, "expected a non-empty name")),
  cpus: v.pipe(
    v.number("expected a number of CPUs"),
    v.integer("expected a whole number of CPUs"),
    v.minValue(1, "expected at least 1 CPU"),
    v.maxValue(1024, "expected at most 1024 CPUs"),
  ),
  clockGHz: v.pipe(
    v.number("expected a clock in GHz"),
    v.finite("expected a finite clock"),
    v.gtValue(0, "expected a clock above 0 GHz"),
  ),
  cacheLineBytes: v.pipe(
    v.number("expected a cache-line size in bytes"),
    v.integer("expected a whole number of bytes"),
    v.minValue(8, "expected a cache line of at least 8 bytes"),
  ),
  costs: CostsSchema,
  /**
   * The fences each of NetBSD's membar_ops(3) issues on this CPU, by kind of
   * fenceCycles: membar_acquire, membar_release, membar_sync (a full fence).
   * An empty list is a compiler barrier only (x86 acquire/release). Code that
   * orders memory (@smpnet/core's locks) requires it.
   */
  membarOps: v.optional(
    v.strictObject({
      acquire: v.array(v.string("expected a fence kind")),
      release: v.array(v.string("expected a fence kind")),
      sync: v.array(v.string("expected a fence kind")),
    }),
  ),
  /**
   * The hardware level of each IPL name. Omitted: every name is its own level
   * (as on x86); a port that folds levels (evbmips) says so here.
   */
  iplLevels: v.optional(IplLevelsSchema),
});

export type Profile = v.InferOutput<typeof ProfileSchema>;
export type ProfileCosts = Profile["costs"];

/**
 * Checks a profile and returns it typed; throws a SimError naming every wrong
 * or missing field (`profile.costs.lineTransferCycles: ...`).
 */
export function validateProfile(input: unknown, what = "profile"): Profile {
  const p = checkSchema(ProfileSchema, input, what, "Profile");
  if (p.iplLevels) checkIplOrder(p.iplLevels, what);
  checkMembarOps(p, what);
  return p;
}

function checkMembarOps(p: Profile, what: string): void {
  for (const [op, kinds] of Object.entries(p.membarOps ?? {})) {
    for (const k of kinds) {
      if (!(k in p.costs.fenceCycles)) {
        throw new SimError(
          `${what}.membarOps.${op}: fence "${k}" is not in costs.fenceCycles (${Object.keys(p.costs.fenceCycles).join(", ") || "none"}); add its cost or fix the name`,
        );
      }
    }
  }
}

function checkIplOrder(levels: Record<IplName, number>, what: string): void {
  for (let i = 1; i < IPL_NAMES.length; i++) {
    const lo = IPL_NAMES[i - 1]!;
    const hi = IPL_NAMES[i]!;
    if (levels[hi] < levels[lo]) {
      throw new SimError(
        `${what}.iplLevels.${hi}: ${levels[hi]} is below ${lo} (${levels[lo]}); levels must not decrease in the order ${IPL_NAMES.join(" < ")}`,
      );
    }
  }
}

/**
 * The dotted path of every number in a profile (`costs.fenceCycles.sync`,
 * `iplLevels.IPL_VM`, ...): what a hardware package must give a source for.
 */
export function profileConstants(p: Profile): string[] {
  const out: string[] = [];
  const walk = (o: unknown, path: string) => {
    if (typeof o === "number") out.push(path);
    else if (Array.isArray(o)) {
      for (const [i, x] of o.entries()) walk(x, `${path}.${i}`);
    } else if (o !== null && typeof o === "object") {
      for (const [k, v] of Object.entries(o)) walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(p, "");
  return out;
}

/**
 * What a profile's record of sources leaves out (`missing`: constants with no
 * source) or keeps for nothing (`stale`: sources of no constant).
 */
export function profileSourceGaps(
  p: Profile,
  sources: Record<string, string>,
): { missing: string[]; stale: string[] } {
  return sourceGaps(profileConstants(p), sources);
}
