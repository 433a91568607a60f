import { delay, type KernelGen, PRI_KERNEL, work } from "@smpnet/sim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ksleep,
  lockdebug_enable,
  PCG_NOBJECTS,
  type PoolItem,
  PR_PSERIALIZE,
  pcg_chain,
  pool_cache_defer_pserialize,
  pool_cache_get,
  pool_cache_init,
  pool_cache_invalidate,
  pool_cache_put,
  pool_cache_reclaim,
  pool_cache_set_smr,
  pool_cache_smr_fifo,
  pool_item_use,
  pool_reclaim_pages,
  pserialize_create,
  pserialize_read_enter,
  pserialize_read_exit,
  SMR_LAZY,
  smr_create,
  xc_broadcasts,
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
    expect(pc.nfull).toBe(1);
    expect(pc.pool.pages).toBe(Math.ceil((3 * PCG_NOBJECTS + 1) / pc.pool.itemsPerPage));
  });

  it("pserialize-deferred: an object is handed out again only after a cross-call that began after its put", () => {
    let reusesInAll = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 2, max: 8 }),
        (seed, cpus) => {
          const { sim, host } = machine(cpus, {}, seed);
          const psz = pserialize_create(host);
          const pc = pool_cache_init(host, "p", 256);
          pool_cache_defer_pserialize(pc, psz);
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
        const fifo = pool_cache_smr_fifo(pc);
        goalsQueued.push(...fifo.map((g) => g.goal));
        const firstBatch = [...fifo[0]!.objects];
        const secondBatch = [...fifo[1]!.objects];
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
      expect(pool_cache_smr_fifo(pc).length + pc.nfull).toBeGreaterThan(0);
      expect(longest).toBeLessThan(2_000);
    });
  }

  it("rejects bad options with the field and the fix", () => {
    const { host } = machine(2);
    expect(() => pool_cache_init(host, "p", 256, 0, undefined, { dtorCycles: -1 })).toThrow(
      "pool_cache_init: p: opts.dtorCycles must be a non-negative number, got -1",
    );
    expect(() => pool_cache_init(host, "p", 256, 0, undefined, { maxGroups: 1.5 })).toThrow(
      "pool_sethardlimit: p.pcgnormal: n must be a non-negative integer, got 1.5",
    );
    expect(() => pool_cache_init(host, "p", 5000)).toThrow(
      "pool_init: size must be an integer from 1 to 4096 bytes (one page), got 5000",
    );
    const psz = pserialize_create(host);
    const pc = pool_cache_init(host, "q", 256, PR_PSERIALIZE);
    expect(() => pool_cache_defer_pserialize(pc, psz)).toThrow(
      "pool_cache_defer_pserialize: q already has a reuse policy (PR_PSERIALIZE or another deferral); a pool uses one",
    );
  });
});

/** One bound thread on `cpu` running `body`. */
function thread(host: ReturnType<typeof machine>["host"], cpu: number, body: () => KernelGen) {
  host.kthread_create({ name: `t${cpu}`, pri: PRI_KERNEL, cpu, bound: true, body });
}

describe("the depot, lock-free (pool_pcg_get/pool_pcg_put)", () => {
  it("never hands one object to two holders, while CPUs trade groups through it at once", () => {
    let contended = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 2, max: 8 }),
        (seed, cpus) => {
          const { sim, host } = machine(cpus, {}, seed);
          const pc = pool_cache_init(host, "p", 256);
          const holder = new Map<PoolItem, number>();
          let doubles = 0;
          for (let c = 0; c < cpus; c++) {
            thread(host, c, function* () {
              for (let round = 0; round < 6; round++) {
                const held: PoolItem[] = [];
                for (let i = sim.rng.int(PCG_NOBJECTS, 4 * PCG_NOBJECTS); i > 0; i--) {
                  const it = yield* pool_cache_get(pc);
                  if (holder.has(it)) doubles++;
                  holder.set(it, c);
                  held.push(it);
                }
                for (const it of held) {
                  holder.delete(it);
                  yield* pool_cache_put(pc, it);
                }
              }
            });
          }
          sim.run(1e9);
          expect(doubles).toBe(0);
          expect(pc.pool.nout).toBe(
            pcg_chain(pc.fullgroups.value as never).length * PCG_NOBJECTS +
              pcg_chain(pc.partgroups.value as never).reduce((n, g) => n + g.objects.length, 0) +
              pc.cpus.reduce(
                (n, cc) => n + cc.current.objects.length + cc.previous.objects.length,
                0,
              ),
          );
          contended += pc.stats.contended;
        },
      ),
      { numRuns: 30, seed: 20261206 },
    );
    // CPUs met the busy marker: the lists were really shared
    expect(contended).toBeGreaterThan(0);
  });
});

describe("PR_PSERIALIZE: type-stable memory, a barrier per destruct batch", () => {
  it("a put followed by a get on the same CPU returns the same object, with no cross-call", () => {
    const { sim, host } = machine(4);
    const pc = pool_cache_init(host, "p", 256, PR_PSERIALIZE);
    const pairs: [PoolItem, PoolItem][] = [];
    thread(host, 1, function* () {
      for (let i = 0; i < 3 * PCG_NOBJECTS; i++) {
        const a = yield* pool_cache_get(pc);
        yield* pool_cache_put(pc, a);
        pairs.push([a, yield* pool_cache_get(pc)]);
      }
    });
    sim.run(1e8);
    expect(pairs).toHaveLength(3 * PCG_NOBJECTS);
    for (const [a, b] of pairs) expect(b).toBe(a);
    expect(xc_broadcasts(host)).toBe(0);
    expect(pc.stats.destructBatches).toBe(0);
  });

  it("a put that finds no empty group destructs its object behind exactly one xc_barrier(0)", () => {
    const { sim, host } = machine(4);
    const pc = pool_cache_init(host, "p", 256, PR_PSERIALIZE, undefined, { maxGroups: 0 });
    const perPut: number[] = [];
    thread(host, 0, function* () {
      const items: PoolItem[] = [];
      for (let i = 0; i < 3; i++) items.push(yield* pool_cache_get(pc));
      for (const it of items) {
        const before = xc_broadcasts(host);
        yield* pool_cache_put(pc, it);
        perPut.push(xc_broadcasts(host) - before);
      }
    });
    sim.run(1e8);
    expect(perPut).toEqual([1, 1, 1]);
    expect(pc.stats.destructBatches).toBe(3);
    expect(pc.pool.nout).toBe(0);
  });

  for (const flags of [PR_PSERIALIZE, 0]) {
    it(`pool_cache_invalidate${flags ? "" : " without PR_PSERIALIZE"}: one transfer cross-call, then ${flags ? "one barrier per" : "no barrier for a"} batch`, () => {
      const { sim, host } = machine(4);
      const pc = pool_cache_init(host, "p", 256, flags);
      let sent = -1;
      thread(host, 2, function* () {
        const items: PoolItem[] = [];
        for (let i = 0; i < 2 * PCG_NOBJECTS; i++) items.push(yield* pool_cache_get(pc));
        for (const it of items) yield* pool_cache_put(pc, it);
        const before = xc_broadcasts(host);
        yield* pool_cache_invalidate(pc);
        sent = xc_broadcasts(host) - before;
      });
      sim.run(1e8);
      // the CPU's two full groups go to the depot's full list: one batch
      expect(pc.stats.destructBatches).toBe(1);
      expect(pc.stats.destructed).toBe(2 * PCG_NOBJECTS);
      expect(sent).toBe(flags ? 2 : 1);
      expect(pc.pool.nout).toBe(0);
    });
  }

  it("pool_cache_invalidate and pool_cache_reclaim with readers in sections destruct nothing and release no page until they leave", () => {
    const { sim, host } = machine(3);
    const psz = pserialize_create(host);
    const pc = pool_cache_init(host, "p", 256, PR_PSERIALIZE);
    const until = (t: number) => ksleep("until", t - sim.now);
    const left: number[][] = [[], []];
    // readers on cpu1 and cpu2 sit in sections from 0.1 ms and from 10.2 s, for 1 and 2 ms
    for (const cpu of [1, 2]) {
      thread(host, cpu, function* () {
        for (const [round, at] of [100_000, 10_200_000_000].entries()) {
          yield* until(at);
          yield* pserialize_read_enter(psz);
          yield* delay(cpu * 1_000_000);
          left[round]!.push(sim.now);
          yield* pserialize_read_exit(psz);
        }
      });
    }
    let invalidatedAt = -1;
    thread(host, 0, function* () {
      const items: PoolItem[] = [];
      for (let i = 0; i < 2 * pc.pool.itemsPerPage; i++) items.push(yield* pool_cache_get(pc));
      for (const it of items) yield* pool_cache_put(pc, it);
      yield* until(200_000);
      yield* pool_cache_invalidate(pc);
      invalidatedAt = sim.now;
      // the pages have been empty for pool_inactive_time at the second round
      yield* until(10_200_200_000);
      yield* pool_cache_reclaim(pc);
    });
    sim.run(11e9);
    // (the transfer cross-call already waits for them; the next test isolates the barriers)
    const [first, second] = left.map((l) => Math.max(...l));
    expect(left.flat()).toHaveLength(4);
    expect(invalidatedAt).toBeGreaterThanOrEqual(first!);
    expect(pc.pool.released).toHaveLength(2);
    for (const page of pc.pool.released) {
      expect(page.emptiedAtNs).toBeGreaterThanOrEqual(first!);
      expect(page.releasedAtNs).toBeGreaterThanOrEqual(second!);
    }
  });

  it("a destruct and a page release each wait out a reader already in its section", () => {
    const { sim, host } = machine(2);
    const psz = pserialize_create(host);
    const pc = pool_cache_init(host, "p", 256, PR_PSERIALIZE, undefined, { maxGroups: 0 });
    const until = (t: number) => ksleep("until", t - sim.now);
    const left: number[] = [];
    thread(host, 1, function* () {
      for (const at of [100_000, 10_200_000_000]) {
        yield* until(at);
        yield* pserialize_read_enter(psz);
        yield* delay(1_000_000);
        left.push(sim.now);
        yield* pserialize_read_exit(psz);
      }
    });
    let destructedAt = -1;
    let pagesFreed = 0;
    thread(host, 0, function* () {
      const items: PoolItem[] = [];
      for (let i = 0; i < pc.pool.itemsPerPage; i++) items.push(yield* pool_cache_get(pc));
      yield* until(200_000);
      // no group to be had: every put destructs at once, behind a barrier
      for (const it of items) yield* pool_cache_put(pc, it);
      destructedAt = sim.now;
      yield* until(10_200_200_000);
      pagesFreed = yield* pool_reclaim_pages(pc.pool);
    });
    sim.run(11e9);
    expect(left).toHaveLength(2);
    expect(pc.stats.destructBatches).toBe(pc.pool.itemsPerPage);
    expect(pc.pool.released[0]!.emptiedAtNs).toBeGreaterThanOrEqual(left[0]!);
    expect(destructedAt).toBeGreaterThanOrEqual(left[0]!);
    expect(pagesFreed).toBe(1);
    expect(pc.pool.released[0]!.releasedAtNs).toBeGreaterThanOrEqual(left[1]!);
  });

  it("lockdebug reports a reader that uses an object the pool handed out again", () => {
    const { sim, host } = machine(2);
    const dbg = lockdebug_enable(host);
    const pc = pool_cache_init(host, "inpcb", 256, PR_PSERIALIZE);
    const verdicts: boolean[] = [];
    thread(host, 0, function* () {
      const pcb = yield* pool_cache_get(pc);
      const gen = pcb.gen;
      verdicts.push(pool_item_use(pcb, gen));
      yield* pool_cache_put(pc, pcb);
      // type-stable: reading it is allowed, using it as the object found is not
      verdicts.push(pool_item_use(pcb, gen));
      const again = yield* pool_cache_get(pc);
      verdicts.push(again === pcb, pool_item_use(pcb, gen));
    });
    sim.run(1e8);
    expect(verdicts).toEqual([true, true, true, false]);
    expect(dbg.reports.map((r) => r.kind)).toEqual(["use-after-reuse"]);
  });
});
