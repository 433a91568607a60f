import { PRI_KERNEL, roundProfile, work } from "@smpnet/sim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHURN_VARIANTS,
  PCG_NOBJECTS,
  type PoolItem,
  PR_PSERIALIZE,
  pcbChurn,
  pool_cache_get,
  pool_cache_init,
  pool_cache_put,
  pool_cache_set_smr,
  pserialize_create,
  SMR_LAZY,
  smr_create,
} from "../src/index.js";
import { machine } from "./fixtures.js";

describe("pool_cache", () => {
  it("hands a CPU back what it put, without the depot, and trades whole groups past two", () => {
    const { sim, host } = machine(2);
    const pc = pool_cache_init(host, "p", 256);
    let again: PoolItem | undefined;
    let first: PoolItem | undefined;
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      cpu: 0,
      bound: true,
      *body() {
        first = yield* pool_cache_get(pc);
        yield* pool_cache_put(pc, first);
        again = yield* pool_cache_get(pc);
        const many: PoolItem[] = [];
        for (let i = 0; i < 3 * PCG_NOBJECTS; i++) many.push(yield* pool_cache_get(pc));
        for (const it of many) yield* pool_cache_put(pc, it);
      },
    });
    sim.run(1e9);
    expect(again).toBe(first);
    expect(again!.gen).toBe(2);
    // 45 puts: two groups stay on the CPU, the third full one went to the depot
    expect(pc.fullgroups).toHaveLength(1);
    expect(pc.pool.pages).toBe(Math.ceil((3 * PCG_NOBJECTS + 1) / pc.pool.itemsPerPage));
  });

  it("PR_PSERIALIZE: an object is handed out again only after a cross-call that began after its put", () => {
    let reusesInAll = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 2, max: 8 }),
        (seed, cpus) => {
          const { sim, host } = machine(cpus, {}, seed);
          const psz = pserialize_create(host);
          const pc = pool_cache_init(host, "p", 256, PR_PSERIALIZE, undefined, { psz });
          const putAt = new Map<PoolItem, number>();
          let violations = 0;
          let reuses = 0;
          for (let c = 0; c < cpus; c++) {
            host.kthread_create({
              name: `t${c}`,
              pri: PRI_KERNEL,
              cpu: c,
              bound: true,
              *body() {
                const held: PoolItem[] = [];
                for (let i = 0; i < 120; i++) {
                  if (held.length > 0 && sim.rng.int(0, 1) === 0) {
                    const it = held.pop()!;
                    putAt.set(it, sim.now);
                    yield* pool_cache_put(pc, it);
                  } else {
                    const it = yield* pool_cache_get(pc);
                    const at = putAt.get(it);
                    if (at !== undefined) {
                      reuses++;
                      if (!psz.xcallSpans.some((s) => s.startNs >= at && s.endNs <= sim.now))
                        violations++;
                    }
                    held.push(it);
                  }
                }
              },
            });
          }
          sim.run(1e9);
          expect(violations).toBe(0);
          reusesInAll += reuses;
        },
      ),
      { numRuns: 20, seed: 20261129 },
    );
    expect(reusesInAll).toBeGreaterThan(100);
  });

  for (const lazy of [false, true]) {
    it(`set_smr${lazy ? " (SMR_LAZY)" : ""}: an object is handed out again only once every section open at its put has ended`, () => {
      let reusesInAll = 0;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2 ** 31 }),
          fc.integer({ min: 2, max: 6 }),
          (seed, cpus) => {
            const { sim, host } = machine(cpus, {}, seed);
            const smr = lazy ? smr_create(host, "s", SMR_LAZY, 1000) : smr_create(host, "s");
            const pc = pool_cache_init(host, "p", 256);
            pool_cache_set_smr(pc, smr);
            const openSince = Array.from({ length: cpus }, () => -1);
            const putAt = new Map<PoolItem, number>();
            let violations = 0;
            for (let c = 1; c < cpus; c++) {
              host.kthread_create({
                name: `r${c}`,
                pri: PRI_KERNEL,
                cpu: c,
                bound: true,
                *body() {
                  for (let i = 0; i < (lazy ? 200 : 40); i++) {
                    yield* smr.enter();
                    openSince[c] = sim.now;
                    yield* work(sim.rng.int(1_000, 200_000));
                    openSince[c] = -1;
                    yield* smr.exit();
                    yield* work(sim.rng.int(1_000, 20_000));
                  }
                },
              });
            }
            host.kthread_create({
              name: "w",
              pri: PRI_KERNEL,
              cpu: 0,
              bound: true,
              *body() {
                const held: PoolItem[] = [];
                for (let i = 0; i < 600; i++) {
                  yield* work(sim.rng.int(100, lazy ? 50_000 : 5_000));
                  if (held.length > 0 && sim.rng.int(0, 1) === 0) {
                    const it = held.pop()!;
                    putAt.set(it, sim.now);
                    yield* pool_cache_put(pc, it);
                  } else {
                    const it = yield* pool_cache_get(pc);
                    const at = putAt.get(it);
                    if (at !== undefined) {
                      reusesInAll++;
                      if (openSince.some((t) => t !== -1 && t <= at)) violations++;
                    }
                    held.push(it);
                  }
                }
              },
            });
            sim.run(1e10);
            expect(violations).toBe(0);
          },
        ),
        { numRuns: 15, seed: 20261129 },
      );
      expect(reusesInAll).toBeGreaterThan(100);
    });
  }

  it("set_smr batches leave in FIFO order, stamped with rising goals", () => {
    const { sim, host } = machine(4);
    const smr = smr_create(host, "s");
    const pc = pool_cache_init(host, "p", 256);
    pool_cache_set_smr(pc, smr);
    const goalsQueued: number[] = [];
    const batchesTaken: PoolItem[][] = [];
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      cpu: 0,
      bound: true,
      *body() {
        const items: PoolItem[] = [];
        for (let i = 0; i < 4 * PCG_NOBJECTS; i++) items.push(yield* pool_cache_get(pc));
        for (const it of items) yield* pool_cache_put(pc, it);
        goalsQueued.push(...pc.smrfifo.map((g) => g.goal));
        const firstBatch = [...pc.smrfifo[0]!.objects];
        const secondBatch = [...pc.smrfifo[1]!.objects];
        // no reader: the oldest batch is reusable at once, and comes first
        const first = yield* pool_cache_get(pc);
        for (let i = 1; i < PCG_NOBJECTS; i++) yield* pool_cache_get(pc);
        const sixteenth = yield* pool_cache_get(pc);
        batchesTaken.push(firstBatch, secondBatch, [first, sixteenth]);
      },
    });
    sim.run(1e9);
    expect(goalsQueued).toHaveLength(4);
    for (let i = 1; i < goalsQueued.length; i++)
      expect(goalsQueued[i]!).toBeGreaterThan(goalsQueued[i - 1]!);
    expect(batchesTaken[0]).toContain(batchesTaken[2]![0]);
    expect(batchesTaken[1]).toContain(batchesTaken[2]![1]);
  });

  for (const lazy of [false, true]) {
    it(`set_smr${lazy ? " (SMR_LAZY)" : ""}: a put never waits, even while every other CPU sits in a section`, () => {
      const { sim, host } = machine(4);
      const smr = lazy ? smr_create(host, "s", SMR_LAZY, 1000) : smr_create(host, "s");
      const pc = pool_cache_init(host, "p", 256);
      pool_cache_set_smr(pc, smr);
      for (let c = 1; c < 4; c++) {
        host.kthread_create({
          name: `r${c}`,
          pri: PRI_KERNEL,
          cpu: c,
          bound: true,
          *body() {
            yield* smr.enter();
            yield* work(5_000_000);
            yield* smr.exit();
          },
        });
      }
      let longest = 0;
      host.kthread_create({
        name: "w",
        pri: PRI_KERNEL,
        cpu: 0,
        bound: true,
        *body() {
          yield* work(10_000);
          const items: PoolItem[] = [];
          for (let i = 0; i < 4 * PCG_NOBJECTS; i++) items.push(yield* pool_cache_get(pc));
          for (const it of items) {
            const t0 = sim.now;
            yield* pool_cache_put(pc, it);
            longest = Math.max(longest, sim.now - t0);
          }
        },
      });
      sim.run(1e9);
      expect(pc.smrfifo.length + pc.fullgroups.length).toBeGreaterThan(0);
      expect(longest).toBeLessThan(2_000);
    });
  }

  it("rejects a PR_PSERIALIZE pool without its pserialize instance", () => {
    const { host } = machine(2);
    expect(() => pool_cache_init(host, "p", 256, PR_PSERIALIZE)).toThrow(
      "pool_cache_init: p has PR_PSERIALIZE; pass opts.psz, the pserialize instance its readers use",
    );
    expect(() => pool_cache_init(host, "p", 5000)).toThrow(
      "pool_init: size must be an integer from 1 to 4096 bytes (one page), got 5000",
    );
  });
});

describe("pcb churn", () => {
  const profile = roundProfile(16);
  it("no reader ever uses a pcb handed out again, for every scheme, under random churn, preemption and interrupts on 1-16 CPUs", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CHURN_VARIANTS.filter((v) => v !== "unprotected")),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.boolean(),
        fc.integer({ min: 50_000, max: 800_000 }),
        (variant, cpus, seed, kernelPreemption, churnPerSecond) => {
          const r = pcbChurn({
            variant,
            profile: roundProfile(cpus),
            cpus,
            churnPerSecond,
            simNs: 2e6,
            seed,
            pcbs: 16,
            buckets: 4,
            useCycles: 3_000,
            kernelPreemption,
            interruptMeanNs: 5_000,
          });
          expect(r.lookups).toBeGreaterThan(100);
          expect(r.useAfterFree, `${variant} on ${cpus} CPUs`).toBe(0);
        },
      ),
      { numRuns: Number(process.env.RUNS ?? 40), seed: 20261129 },
    );
  });

  it("catches the reuse when the pool does not wait for readers", () => {
    const r = pcbChurn({
      variant: "unprotected",
      profile,
      cpus: 4,
      churnPerSecond: 200_000,
      simNs: 4e6,
      pcbs: 16,
      buckets: 4,
      useCycles: 3_000,
    });
    expect(r.useAfterFree).toBeGreaterThan(0);
  });

  it("pserialize pays cross-calls, smr none and never waits for them; batching shares them", () => {
    const run = (variant: (typeof CHURN_VARIANTS)[number]) =>
      pcbChurn({
        variant,
        profile,
        cpus: 8,
        churnPerSecond: 400_000,
        simNs: 4e6,
        pcbs: 64,
        buckets: 16,
      });
    const psz = run("pserialize");
    const batched = run("pserialize-batched");
    const smr = run("smr");
    expect(psz.xcallsPerSimSecond).toBeGreaterThan(0);
    expect(batched.xcallsPerSimSecond).toBeLessThan(psz.xcallsPerSimSecond);
    expect(smr.xcallsPerSimSecond).toBe(0);
    expect(smr.writerWaitNsP99).toBeLessThan(psz.writerWaitNsP99);
    expect(smr.pendingBytesPeak).toBeGreaterThan(0);
  });

  it("names a bad variant", () => {
    expect(() =>
      pcbChurn({ variant: "rcu" as never, profile, cpus: 2, churnPerSecond: 1000, simNs: 1e6 }),
    ).toThrow(
      "pcb-churn: variant must be one of pserialize, pserialize-batched, epoch, smr, smr-lazy, rwlock, unprotected, got rcu",
    );
  });
});
