import { roundProfile } from "@smpnet/sim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHURN_VARIANTS, type ChurnOptions, type ChurnVariant, pcbChurn } from "../src/index.js";

const RUNS = Number(process.env.RUNS ?? 40);

/** Random churn on a small table, with preemption, interrupts and, sometimes, pool reclaims. */
const arbitraryRun = (variants: readonly ChurnVariant[]) =>
  fc.record({
    variant: fc.constantFrom(...variants),
    cpus: fc.integer({ min: 1, max: 16 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 }),
    kernelPreemption: fc.boolean(),
    churnPerSecond: fc.integer({ min: 50_000, max: 800_000 }),
    drainIntervalNs: fc.option(fc.integer({ min: 100_000, max: 1_000_000 }), { nil: undefined }),
    maxGroups: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  });

function small(r: {
  variant: ChurnVariant;
  cpus: number;
  seed: number;
  kernelPreemption: boolean;
  churnPerSecond: number;
  drainIntervalNs: number | undefined;
  maxGroups: number | undefined;
}): ChurnOptions {
  return {
    ...r,
    profile: roundProfile(r.cpus),
    simNs: 1.5e6,
    pcbs: 16,
    buckets: 4,
    useCycles: 3_000,
    interruptMeanNs: 5_000,
    lockdebug: true,
  };
}

describe("pcb churn", () => {
  it("no reader ever uses a pcb as the one it found after the pool handed it out again: every variant, 1-16 CPUs, preemption, interrupts, reclaims", () => {
    let revalidations = 0;
    fc.assert(
      fc.property(arbitraryRun(CHURN_VARIANTS), (run) => {
        const r = pcbChurn(small(run));
        expect(r.lookups).toBeGreaterThan(10);
        expect(r.useAfterReuse, `${run.variant} on ${run.cpus} CPUs`).toBe(0);
        expect(r.lockdebugReports).toBe(0);
        revalidations += r.revalidationFailures;
      }),
      { numRuns: RUNS, seed: 20261206 },
    );
    // the typesafe readers' retry path ran
    expect(revalidations).toBeGreaterThan(0);
  }, 120_000);

  it("catches a pserialize-typesafe reader that skips the revalidation", () => {
    const r = fc.check(
      fc.property(arbitraryRun(["pserialize-typesafe"]), (run) => {
        const res = pcbChurn({ ...small(run), revalidate: false });
        return res.useAfterReuse === 0 && res.lockdebugReports === 0;
      }),
      { numRuns: RUNS, seed: 20261206 },
    );
    expect(r.failed).toBe(true);
    const broken = pcbChurn({
      ...small({
        variant: "pserialize-typesafe",
        cpus: 4,
        seed: 1,
        kernelPreemption: false,
        churnPerSecond: 400_000,
        drainIntervalNs: undefined,
        maxGroups: undefined,
      }),
      revalidate: false,
    });
    expect(broken.useAfterReuse).toBeGreaterThan(0);
    expect(broken.lockdebugReports).toBe(broken.useAfterReuse);
  }, 120_000);

  const profile = roundProfile(8);
  const run = (variant: ChurnVariant, extra: Partial<ChurnOptions> = {}) =>
    pcbChurn({
      variant,
      profile,
      cpus: 8,
      churnPerSecond: 100_000,
      simNs: 2e6,
      pcbs: 64,
      buckets: 16,
      drainIntervalNs: 500_000,
      ...extra,
    });

  it("pserialize pays a cross-call per close; typesafe only per destruct batch; smr never makes a writer wait", () => {
    const psz = run("pserialize");
    const typesafe = run("pserialize-typesafe");
    const smr = run("smr");
    expect(psz.xcallsPerSimSecond).toBeGreaterThan(0.8 * 100_000);
    // three reclaims in 2 ms: one transfer cross-call each, and for the
    // PR_PSERIALIZE pool one barrier per destruct batch, nothing per close
    const transfers = 1_500;
    expect(typesafe.destructBatchesPerSimSecond).toBeGreaterThan(0);
    expect(typesafe.xcallsPerSimSecond).toBe(transfers + typesafe.destructBatchesPerSimSecond);
    expect(typesafe.xcallsPerSimSecond).toBeLessThan(psz.xcallsPerSimSecond / 20);
    expect(typesafe.writerWaitNsP99).toBeLessThan(psz.writerWaitNsP50);
    expect(smr.xcallsPerSimSecond).toBe(transfers);
    expect(smr.writerWaitNsP99).toBeLessThan(1_000);
    expect(smr.pendingBytesPeak).toBeGreaterThan(0);
  });

  it("closed-loop readers show the read side as throughput; paced readers do not", () => {
    const pserialize = run("pserialize");
    const rwlock = run("rwlock");
    expect(rwlock.readNsPerSection).toBeGreaterThan(10 * pserialize.readNsPerSection);
    expect(rwlock.lookupsPerSimSecondPerCpu).toBeLessThan(
      0.8 * pserialize.lookupsPerSimSecondPerCpu,
    );
    const paced = (v: ChurnVariant) =>
      run(v, { lookupIntervalNs: 5_000 }).lookupsPerSimSecondPerCpu;
    expect(paced("rwlock")).toBe(paced("pserialize"));
    // one lookup per 5 us per CPU, less the one still due at the end
    expect(paced("pserialize")).toBeGreaterThanOrEqual(199_000);
  });

  it("names a bad option and the fix", () => {
    const base = { variant: "smr", profile, cpus: 2, churnPerSecond: 1000, simNs: 1e6 } as const;
    expect(() => pcbChurn({ ...base, variant: "rcu" as never })).toThrow(
      `pcb-churn: variant must be one of ${CHURN_VARIANTS.join(", ")}, got rcu`,
    );
    expect(() => pcbChurn({ ...base, drainIntervalNs: 0 })).toThrow(
      "pcb-churn: drainIntervalNs must be a positive number of ns (or left out), got 0",
    );
    expect(() => pcbChurn({ ...base, revalidate: false })).toThrow(
      "pcb-churn: revalidate must be left out except for pserialize-typesafe, got false",
    );
  });
});
