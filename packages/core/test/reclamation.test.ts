import {
  curcpu,
  type Host,
  IPL_VM,
  type KernelGen,
  load,
  nanotime,
  PRI_KERNEL,
  PRI_USER,
  store,
  syscall_enter,
  syscall_exit,
  work,
} from "@smpnet/sim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  epoch_alloc,
  epoch_wait,
  ksleep,
  lockdebug_enable,
  lockstat_enable,
  pserialize_create,
  pserialize_ev_excl,
  pserialize_perform,
  Reclaimable,
  type Reclaimer,
  reclaim_use,
  SMR_LAZY,
  SMR_LAZY_GRACE,
  SMR_SEQ_INCR,
  smr_advance,
  smr_create,
  smr_current,
  smr_poll,
  smr_t,
  smr_wait,
} from "../src/index.js";
import { machine } from "./fixtures.js";

const SCHEMES: Record<string, (h: Host) => Reclaimer> = {
  pserialize: (h) => pserialize_create(h),
  epoch: (h) => epoch_alloc(h, "net_epoch", false),
  "epoch-preempt": (h) => epoch_alloc(h, "net_epoch_preempt", true),
  smr: (h) => smr_create(h, "inp_smr"),
  "smr-lazy": (h) => smr_create(h, "inp_smr", SMR_LAZY, 10_000),
};

/** Deliberately broken: readers on cpu0 never publish their sequence, so the grace period ends without them. */
class BrokenSmr extends smr_t {
  override *enter(): KernelGen {
    if (curcpu().index !== 0) yield* super.enter();
  }
  override *exit(): KernelGen {
    if (curcpu().index !== 0) yield* super.exit();
  }
}

/**
 * Readers on random CPUs look objects up in a small table and use them,
 * writers replace them and retire or synchronize; device interrupts and
 * kernel preemption cut in. A reader never finds its object freed.
 */
function run(make: (h: Host) => Reclaimer, seed: number, cpus: number, preempt: boolean) {
  const { sim, host } = machine(cpus, { kernelPreemption: preempt, quantumNs: 20_000 }, seed);
  const rng = sim.rng;
  const rc = make(host);
  const slots = Array.from({ length: 3 }, (_, i) =>
    host.cacheline(`slot${i}`, new Reclaimable(`o${i}`, 64)),
  );
  let violations = 0;
  let sections = 0;
  let n = 0;
  const threads = rng.int(2, 6);
  let done = 0;
  for (let t = 0; t < threads; t++) {
    const writer = t === 0 || rng.int(0, 3) === 0;
    const user = rng.int(0, 1) === 1;
    host.kthread_create({
      name: `${writer ? "w" : "r"}${t}`,
      pri: user ? PRI_USER : PRI_KERNEL,
      user,
      cpu: rng.int(0, cpus - 1),
      *body(): KernelGen {
        for (let k = 0; k < 10; k++) {
          if (user) syscall_enter();
          if (writer) {
            const slot = slots[rng.int(0, slots.length - 1)]!;
            const old = slot.value as Reclaimable;
            yield* store(slot, new Reclaimable(`o${++n + 3}`, 64));
            old.linked = false;
            yield* rc.retire(old);
            if (rng.int(0, 2) === 0) yield* rc.synchronize();
            else yield* rc.poll();
          } else {
            yield* rc.enter();
            sections++;
            const obj = (yield* load(slots[rng.int(0, slots.length - 1)]!)) as Reclaimable;
            for (let u = 0; u < 3; u++) {
              yield* work(rng.int(0, 2_000));
              if (!reclaim_use(obj)) violations++;
            }
            yield* rc.exit();
          }
          if (user) syscall_exit();
          yield* work(rng.int(0, 1_500));
        }
        done++;
      },
    });
  }
  const dev = host.intr_establish({
    name: "dev",
    ipl: IPL_VM,
    cpu: 0,
    *handler() {
      yield* work(rng.int(0, 800));
    },
  });
  const tick = () => {
    dev.raise(rng.int(0, cpus - 1));
    if (done < threads) sim.after(rng.int(500, 5_000), tick);
  };
  sim.after(0, tick);
  sim.run(50_000_000);
  return { violations, done, threads, sections, stats: rc.stats };
}

const RUNS = Number(process.env.RUNS ?? 15);
const arb = [
  fc.integer({ min: 1, max: 2 ** 31 }),
  fc.integer({ min: 1, max: 16 }),
  fc.boolean(),
] as const;

describe("no use after reclamation", () => {
  for (const [name, make] of Object.entries(SCHEMES)) {
    it(`${name}: no reader ever uses a freed object, under random schedules, interrupts and preemption`, () => {
      fc.assert(
        fc.property(...arb, (seed, cpus, preempt) => {
          const r = run(make, seed, cpus, preempt);
          expect(r.violations).toBe(0);
          expect(r.done).toBe(r.threads);
        }),
        { numRuns: RUNS, seed: 1 },
      );
    });
  }

  it("catches a scheme whose grace period ends one reader too early", () => {
    const r = fc.check(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 2, max: 4 }),
        (seed, cpus) => {
          const broken = (h: Host) => new BrokenSmr(h, "broken", 0, 1000);
          return run(broken, seed, cpus, false).violations === 0;
        },
      ),
      { numRuns: 200, seed: 1 },
    );
    expect(r.failed).toBe(true);
  });
});

/** One writer on cpu0 does `updates` synchronizes; ns per update. */
function writeCost(make: (h: Host) => Reclaimer, cpus: number): number {
  const { sim, host } = machine(cpus);
  const rc = make(host);
  let ns = 0;
  host.kthread_create({
    name: "writer",
    pri: PRI_KERNEL,
    cpu: 0,
    bound: true,
    *body() {
      const t0 = nanotime();
      for (let i = 0; i < 20; i++) {
        const o = new Reclaimable(`o${i}`, 64);
        o.linked = false;
        yield* rc.retire(o);
        yield* rc.synchronize();
      }
      ns = (nanotime() - t0) / 20;
    },
  });
  // a busy thread on every other CPU, so cross-calls interrupt real work
  for (let c = 1; c < cpus; c++) {
    host.kthread_create({
      name: `busy${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        for (let i = 0; i < 2_000; i++) yield* work(100);
      },
    });
  }
  sim.run(100_000_000);
  return ns;
}

describe("write side", () => {
  it("pserialize_perform costs more the more CPUs there are", () => {
    const costs = [1, 2, 4, 16].map((c) => writeCost(SCHEMES.pserialize!, c));
    for (let i = 1; i < costs.length; i++) expect(costs[i]!).toBeGreaterThan(costs[i - 1]!);
  });

  it("concurrent pserialize_perform calls each pay a cross-call, one at a time, queued in the xcall layer rather than on a mutex (v1.23)", () => {
    const { sim, host } = machine(4);
    const ls = lockstat_enable(host);
    const psz = pserialize_create(host);
    let performs = 0;
    for (let c = 0; c < 4; c++) {
      host.kthread_create({
        name: `w${c}`,
        pri: PRI_KERNEL,
        cpu: c,
        bound: true,
        *body() {
          for (let i = 0; i < 10; i++) {
            yield* pserialize_perform(psz);
            performs++;
          }
        },
      });
    }
    sim.run(10_000_000);
    expect(performs).toBe(40);
    expect(pserialize_ev_excl(host)).toBe(40);
    expect(psz.stats.shared).toBe(0);
    expect(psz.stats.xcalls).toBe(40);
    const spans = psz.xcallSpans;
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]!.startNs).toBeGreaterThanOrEqual(spans[i - 1]!.endNs);
    }
    // psz_lock only guards the counter: nobody waits on a lock for a cross-call's length
    const shortest = Math.min(...spans.map((x) => x.endNs - x.startNs));
    for (const r of ls.records()) expect(r.timeNs / r.count, r.lock).toBeLessThan(shortest);
  });

  it("pserialize_perform on one CPU returns without a cross-call and counts the call", () => {
    const { sim, host } = machine(1);
    const psz = pserialize_create(host);
    host.kthread_create({
      name: "w",
      pri: PRI_KERNEL,
      *body() {
        yield* pserialize_perform(psz);
      },
    });
    sim.run();
    expect(psz.stats.xcalls).toBe(0);
    expect(pserialize_ev_excl(host)).toBe(1);
  });

  it("epoch_wait returns at once, without advancing the epoch, when no record is active", () => {
    const { sim, host } = machine(4);
    const ep = epoch_alloc(host, "net_epoch", false);
    const took: number[] = [];
    host.kthread_create({
      name: "w",
      pri: PRI_KERNEL,
      *body() {
        const t0 = nanotime();
        yield* epoch_wait(ep);
        took.push(nanotime() - t0);
      },
    });
    sim.run();
    expect(ep.global.value).toBe(1);
    // one load of the epoch, a fence and a look at each record
    expect(took[0]!).toBeLessThan(1_000);
  });

  it("smr_advance never waits, even with a reader in a section on every other CPU", () => {
    const { sim, host } = machine(4);
    const smr = smr_create(host, "s");
    const took: number[] = [];
    for (let c = 1; c < 4; c++) {
      host.kthread_create({
        name: `r${c}`,
        pri: PRI_KERNEL,
        cpu: c,
        bound: true,
        *body() {
          yield* smr.enter();
          yield* work(1_000_000);
          yield* smr.exit();
        },
      });
    }
    host.kthread_create({
      name: "w",
      pri: PRI_KERNEL,
      cpu: 0,
      bound: true,
      *body() {
        yield* work(10_000);
        for (let i = 0; i < 10; i++) {
          const t0 = nanotime();
          yield* smr_advance(smr);
          took.push(nanotime() - t0);
        }
      },
    });
    sim.run(5_000_000);
    expect(took).toHaveLength(10);
    // one atomic add on the shared line plus the release fence, at most a transfer
    for (const t of took) expect(t).toBeLessThan(200);
    expect(smr.s_wr_seq.value).toBe(1 + 2 * 10);
  });
});

describe("a stuck reader", () => {
  for (const [name, make] of Object.entries(SCHEMES)) {
    it(`${name}: a reader that stays in its section holds back reclamation until it leaves`, () => {
      const { sim, host } = machine(2);
      const rc = make(host);
      let leftAt = -1;
      host.kthread_create({
        name: "reader",
        pri: PRI_KERNEL,
        cpu: 1,
        bound: true,
        *body() {
          yield* rc.enter();
          yield* work(2_000_000);
          leftAt = nanotime();
          yield* rc.exit();
        },
      });
      const objs = Array.from({ length: 5 }, (_, i) => new Reclaimable(`o${i}`, 100));
      host.kthread_create({
        name: "writer",
        pri: PRI_KERNEL,
        cpu: 0,
        bound: true,
        *body() {
          yield* work(10_000);
          for (const o of objs) {
            o.linked = false;
            yield* rc.retire(o);
            yield* rc.poll();
            yield* ksleep("tick", 100_000);
          }
          yield* rc.synchronize();
        },
      });
      sim.run(3_000_000);
      for (const o of objs) {
        expect(o.freed).toBe(true);
        expect(o.freedAtNs).toBeGreaterThanOrEqual(leftAt);
      }
      expect(rc.stats.pendingBytesPeak).toBe(500);
      expect(rc.stats.pendingBytes).toBe(0);
    });
  }
});

describe("lockdebug for read sections", () => {
  it("reports sleeping inside a read section, and not after it", () => {
    for (const make of Object.values(SCHEMES)) {
      const { sim, host } = machine(2);
      const dbg = lockdebug_enable(host);
      const rc = make(host);
      host.kthread_create({
        name: "t",
        pri: PRI_KERNEL,
        cpu: 0,
        *body() {
          yield* rc.enter();
          yield* ksleep("x", 1_000);
          yield* rc.exit();
          yield* ksleep("y", 1_000);
        },
      });
      sim.run(1_000_000);
      expect(dbg.reports.map((r) => r.kind)).toEqual(["sleep-in-read-section"]);
    }
  });

  it("reports a retire of a linked object and a use after free", () => {
    const { sim, host } = machine(2);
    const dbg = lockdebug_enable(host);
    const smr = smr_create(host, "s");
    const o = new Reclaimable("inpcb", 64);
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      cpu: 0,
      *body() {
        yield* smr.retire(o);
        yield* smr.synchronize();
        reclaim_use(o);
      },
    });
    sim.run(1_000_000);
    expect(dbg.reports.map((r) => r.kind)).toEqual(["retire-linked", "use-after-reclaim"]);
  });

  it("rejects bad arguments with the field and the fix", () => {
    const { host } = machine(1);
    expect(() => smr_create(host, "s", 0, 0)).toThrow(/hz: expected a positive integer/);
    expect(() => smr_create(host, "s", 4)).toThrow(/flags: only SMR_LAZY/);
  });

  it("smr_poll advances an SMR_LAZY write clock on every poll, even one the read sequence answers", () => {
    const { sim, host } = machine(1);
    const lazy = smr_create(host, "s", SMR_LAZY, 10_000);
    const seen: number[] = [];
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        // a goal every reader has passed: the cheap test answers it
        expect(yield* smr_poll(lazy, 0, false)).toBe(true);
        seen.push(smr_current(lazy));
        yield* work(300_000); // three ticks at 10 kHz
        expect(yield* smr_poll(lazy, 0, false)).toBe(true);
        seen.push(smr_current(lazy));
      },
    });
    sim.run();
    // at most SMR_LAZY_GRACE ticks at a time
    expect(seen[1]! - seen[0]!).toBe(SMR_LAZY_GRACE * SMR_SEQ_INCR);
  });

  it("refuses to block on an SMR_LAZY smr, as FreeBSD asserts", () => {
    const { sim, host } = machine(1);
    const lazy = smr_create(host, "s", SMR_LAZY);
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        yield* smr_wait(lazy, yield* smr_advance(lazy));
      },
    });
    expect(() => sim.run(1_000_000)).toThrow(/SMR_LAZY, which may not block/);
  });
});
