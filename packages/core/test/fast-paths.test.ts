import {
  type Host,
  IPL_NONE,
  IPL_VM,
  type KernelGen,
  nanotime,
  PRI_KERNEL,
  work,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  epoch_alloc,
  epoch_enter_preempt,
  epoch_exit_preempt,
  KERNEL_LOCK,
  KERNEL_UNLOCK_ONE,
  MUTEX_DEFAULT,
  mutex_enter,
  mutex_exit,
  mutex_init,
  type PoolItem,
  pool_cache_get,
  pool_cache_init,
  pool_cache_put,
  pserialize_create,
  pserialize_read_enter,
  pserialize_read_exit,
  RW_READER,
  RW_WRITER,
  rw_enter,
  rw_exit,
  rw_init,
  sleeplock_enter,
  sleeplock_exit,
  sleeplock_init,
} from "../src/index.js";
import { machine } from "./fixtures.js";

/** A kernel thread bound to each of the host's CPUs, running `body(cpu index)`. */
function onEachCpu(host: Host, body: (c: number) => KernelGen) {
  for (let c = 0; c < host.cpus.length; c++) {
    host.kthread_create({
      name: `t${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      body: () => body(c),
    });
  }
}

/**
 * Three CPUs contending for an adaptive mutex, the kernel lock nested in
 * it, and a spin mutex: the plain fast paths (mutex_enter, mutex_exit,
 * mutex_spin_enter, mutex_spin_exit, KERNEL_LOCK, _kernel_unlock,
 * sleeplock_enter, sleeplock_exit) and their generator
 * slow paths, entered at every step when operations go through the loop.
 */
function run(inPlace: boolean) {
  const { sim, host } = machine(3, {}, 3, inPlace);
  const adaptive = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
  const spin = mutex_init(host, "ifq_lock", MUTEX_DEFAULT, IPL_VM);
  const sblock = sleeplock_init(host, "sblock");
  const out: string[] = [];
  let inside = 0;
  let overlaps = 0;
  onEachCpu(host, function* (c) {
    for (let i = 0; i < 150; i++) {
      yield* mutex_enter(adaptive);
      if (inside++ !== 0) overlaps++;
      yield* KERNEL_LOCK(1);
      yield* KERNEL_LOCK(1);
      yield* work(40 + 13 * c);
      yield* KERNEL_UNLOCK_ONE();
      yield* KERNEL_UNLOCK_ONE();
      inside--;
      yield* mutex_exit(adaptive);
      yield* mutex_enter(spin);
      yield* work(25);
      yield* mutex_exit(spin);
      yield* sleeplock_enter(sblock);
      yield* work(400 + 100 * c);
      yield* sleeplock_exit(sblock);
      // the kernel lock alone: contended, so its spinning slow path runs too
      yield* KERNEL_LOCK(1);
      yield* work(500 + 50 * c);
      yield* KERNEL_UNLOCK_ONE();
      out.push(`${c} ${nanotime()}`);
      yield* work(c * 90);
    }
  });
  sim.run();
  return { out, overlaps, slept: sblock.sleptNs, splits: host.cpus.map((cpu) => cpu.timeSplit()) };
}

describe("the locks' plain fast paths", () => {
  it("give the run that the loop gives, to the bit, with mutual exclusion", () => {
    const looped = run(false);
    const inPlace = run(true);
    expect(looped.out.length).toBe(450);
    expect(looped.overlaps).toBe(0);
    expect(inPlace.overlaps).toBe(0);
    expect(looped.slept).toBeGreaterThan(0);
    expect(inPlace.out).toEqual(looped.out);
    expect(inPlace.slept).toBe(looped.slept);
    expect(inPlace.splits).toEqual(looped.splits);
  });
});

/**
 * Three CPUs taking objects from two pool_caches and putting them back,
 * some on another CPU than took them, in bursts longer than two groups:
 * pool_cache_get and pool_cache_put's plain fast paths, their swaps of
 * current and previous, the depot, and (with a two-group limit) the
 * destruction of objects that find no empty group.
 */
function poolRun(inPlace: boolean) {
  const { sim, host } = machine(3, {}, 5, inPlace);
  const free = pool_cache_init(host, "free", 64);
  const tight = pool_cache_init(host, "tight", 64, 0, IPL_VM, { maxGroups: 2 });
  const shared: PoolItem[] = [];
  const out: string[] = [];
  let running = 3;
  // a device whose handler, at IPL_VM, takes and returns an object: it must
  // wait while a thread is inside the cache at splvm, and only then
  const dev = host.intr_establish({
    name: "dev",
    ipl: IPL_VM,
    cpu: 0,
    *handler() {
      const it = yield* pool_cache_get(free);
      yield* work(15);
      yield* pool_cache_put(free, it);
      out.push(`intr ${nanotime()}`);
    },
  });
  let next = 0;
  const tick = () => {
    dev.raise(next++ % 3);
    if (running > 0) sim.after(170 + (next % 5) * 37, tick);
  };
  sim.after(0, tick);
  onEachCpu(host, function* (c) {
    for (let round = 0; round < 12; round++) {
      const pc = round % 3 === 2 ? tight : free;
      const held: PoolItem[] = [];
      for (let i = 0; i < 20 + 7 * c + round; i++) held.push(yield* pool_cache_get(pc));
      out.push(`${c} got ${held.map((it) => `${it.name}.${it.gen}`).join(",")} ${nanotime()}`);
      yield* work(30 + 11 * c);
      // every third object goes to whoever frees next, on its CPU
      for (const it of held) {
        if (it.gen % 3 === 0 && pc === free) shared.push(it);
        else yield* pool_cache_put(pc, it);
      }
      while (shared.length > 0) yield* pool_cache_put(free, shared.pop()!);
      out.push(`${c} put ${nanotime()}`);
    }
    running--;
  });
  sim.run();
  return {
    out,
    stats: [free.stats, tight.stats].map((s) => `${s.destructed} ${s.contended}`),
    splits: host.cpus.map((cpu) => cpu.timeSplit()),
  };
}

describe("pool_cache's plain fast paths", () => {
  it("give the run that the loop gives, to the bit, through the depot and destruction", () => {
    const looped = poolRun(false);
    const inPlace = poolRun(true);
    expect(looped.out.filter((l) => !l.startsWith("intr")).length).toBe(72);
    expect(looped.out.filter((l) => l.startsWith("intr")).length).toBeGreaterThan(100);
    // the two-group cache ran out of empty groups and destructed objects
    expect(Number(looped.stats[1]!.split(" ")[0])).toBeGreaterThan(0);
    expect(inPlace.out).toEqual(looped.out);
    expect(inPlace.stats).toEqual(looped.stats);
    expect(inPlace.splits).toEqual(looped.splits);
  });
});

/**
 * Three CPUs taking a reader/writer lock, two as readers and one as writer
 * in turn, inside (nested) sections of a preemptible epoch: rw_enter's and
 * rw_exit's plain fast paths, their spinning and turnstile slow paths, and
 * epoch_enter_preempt/epoch_exit_preempt's; then a pserialize read section
 * now and then.
 */
function rwRun(inPlace: boolean) {
  const { sim, host } = machine(3, {}, 7, inPlace);
  const rw = rw_init(host, "inp_lock");
  const ep = epoch_alloc(host, "net_epoch_preempt", true);
  const psz = pserialize_create(host);
  const out: string[] = [];
  let readers = 0;
  let writers = 0;
  let bad = 0;
  onEachCpu(host, function* (c) {
    for (let i = 0; i < 120; i++) {
      yield* epoch_enter_preempt(ep);
      // every sixth round all read, for the same time: their exits race
      const together = i % 6 === 5;
      const writer = !together && (i + c) % 3 === 0;
      yield* rw_enter(rw, writer ? RW_WRITER : RW_READER);
      if (writers !== 0 || (writer && readers !== 0)) bad++;
      if (writer) writers++;
      else readers++;
      if (i % 4 === 0) yield* epoch_enter_preempt(ep);
      yield* work(together ? 100 : writer ? 300 + 40 * c : 120 + 25 * c);
      if (i % 4 === 0) yield* epoch_exit_preempt(ep);
      if (writer) writers--;
      else readers--;
      yield* rw_exit(rw);
      yield* epoch_exit_preempt(ep);
      if (i % 3 === 1) {
        yield* pserialize_read_enter(psz);
        yield* work(30 + 10 * c);
        yield* pserialize_read_exit(psz);
      }
      out.push(`${c} ${writer ? "w" : "r"} ${nanotime()}`);
      yield* work(together ? 50 : 60 + 35 * c + (i % 5) * 20);
    }
  });
  sim.run();
  return {
    out,
    bad,
    sections: ep.stats.sections,
    sectionNs: ep.stats.sectionNs,
    seen: ep.records.map((r) => r.epoch),
    psz: [psz.stats.sections, psz.stats.sectionNs],
    splits: host.cpus.map((cpu) => cpu.timeSplit()),
  };
}

describe("the rwlock's, the preemptible epoch's and pserialize's plain fast paths", () => {
  it("give the run that the loop gives, to the bit, with readers and writers excluded", () => {
    const looped = rwRun(false);
    const inPlace = rwRun(true);
    expect(looped.out.length).toBe(360);
    expect(looped.bad).toBe(0);
    expect(inPlace.bad).toBe(0);
    expect(looped.sections).toBe(450);
    expect(inPlace.out).toEqual(looped.out);
    expect(inPlace.sectionNs).toBe(looped.sectionNs);
    expect(inPlace.seen).toEqual(looped.seen);
    expect(looped.psz[0]).toBe(120);
    expect(inPlace.psz).toEqual(looped.psz);
    expect(inPlace.splits).toEqual(looped.splits);
  });
});
