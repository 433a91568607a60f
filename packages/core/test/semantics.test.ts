import {
  IPL_HIGH,
  IPL_NONE,
  IPL_VM,
  type KernelGen,
  nanotime,
  PRI_KERNEL,
  Simulation,
  work,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  KERNEL_LOCK,
  KERNEL_UNLOCK_ONE,
  kernel_lock_held,
  kfn,
  ksleep,
  lockstat_enable,
  MUTEX_DEFAULT,
  MUTEX_SPIN,
  membar_acquire,
  membar_release,
  membar_sync,
  mutex_enter,
  mutex_exit,
  mutex_init,
  mutex_spin_enter,
  mutex_spin_exit,
  mutex_tryenter,
  RW_READER,
  RW_WRITER,
  rw_enter,
  rw_exit,
  rw_init,
  sleeplock_enter,
  sleeplock_exit,
  sleeplock_init,
} from "../src/index.js";
import { machine, testProfile } from "./fixtures.js";

function thread(
  host: ReturnType<typeof machine>["host"],
  name: string,
  cpu: number,
  body: () => KernelGen,
) {
  return host.kthread_create({ name, pri: PRI_KERNEL, cpu, bound: true, body });
}

describe("adaptive mutex", () => {
  it("spins while the owner runs on a CPU, without sleeping", () => {
    const { sim, host } = machine(2);
    const ls = lockstat_enable(host);
    const mtx = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
    thread(host, "owner", 0, function* () {
      yield* mutex_enter(mtx);
      yield* work(50_000);
      yield* mutex_exit(mtx);
    });
    let got = -1;
    thread(
      host,
      "waiter",
      1,
      kfn("tcp_input", function* () {
        yield* work(5_000);
        yield* mutex_enter(mtx);
        got = nanotime();
        yield* mutex_exit(mtx);
      }),
    );
    sim.run();
    const r = ls.records();
    expect(r.map((x) => [x.event, x.lock, x.caller, x.count])).toEqual([
      ["Adaptive mutex spin", "so_lock", "tcp_input", 1],
    ]);
    // the owner releases at about 51 us; the waiter spun from 6 us until then
    expect(r[0]!.timeNs).toBeGreaterThan(44_000);
    expect(got).toBeGreaterThan(51_000);
    expect(host.cpus[1]!.timeSplit().spin).toBe(r[0]!.timeNs);
  });

  it("sleeps on its turnstile once the owner sleeps, and wakes when it is released", () => {
    const { sim, host } = machine(2);
    const ls = lockstat_enable(host);
    const mtx = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
    thread(host, "owner", 0, function* () {
      yield* mutex_enter(mtx);
      yield* work(10_000);
      yield* ksleep("disk", 200_000);
      yield* mutex_exit(mtx);
    });
    let got = -1;
    thread(host, "waiter", 1, function* () {
      yield* work(5_000);
      yield* mutex_enter(mtx);
      got = nanotime();
    });
    sim.run();
    const byEvent = new Map(ls.records().map((x) => [x.event, x]));
    const spin = byEvent.get("Adaptive mutex spin")!;
    const slept = byEvent.get("Adaptive mutex sleep")!;
    // it spun only until the owner went to sleep (at about 11 us), then slept
    expect(spin.timeNs).toBeLessThan(7_000);
    expect(slept.count).toBe(1);
    expect(slept.timeNs).toBeGreaterThan(190_000);
    expect(got).toBeGreaterThan(211_000);
    expect(host.cpus[1]!.timeSplit().spin).toBeLessThan(7_000);
  });

  it("lets mutex_tryenter fail without waiting", () => {
    const { sim, host } = machine(2);
    const mtx = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
    const got: boolean[] = [];
    thread(host, "a", 0, function* () {
      yield* mutex_enter(mtx);
      yield* work(20_000);
      yield* mutex_exit(mtx);
    });
    thread(host, "b", 1, function* () {
      yield* work(2_000);
      got.push(yield* mutex_tryenter(mtx));
      yield* work(30_000);
      got.push(yield* mutex_tryenter(mtx));
    });
    sim.run();
    expect(got).toEqual([false, true]);
  });

  it("pays the profile's release barrier on mutex_exit, and names a profile without membarOps", () => {
    const { sim, host } = machine(1);
    const mtx = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
    let exitNs = -1;
    thread(host, "a", 0, function* () {
      yield* mutex_enter(mtx);
      const t0 = nanotime();
      yield* mutex_exit(mtx);
      exitNs = nanotime() - t0;
    });
    sim.run();
    // fast-path instructions 10 + syncw 10 + CAS on an owned line (hit 1 + rmw 20)
    expect(exitNs).toBe(10 + 10 + 1 + 20);

    const sim2 = new Simulation({ seed: 1 });
    const { membarOps: _, ...bare } = testProfile(1);
    const h2 = sim2.addHost({ name: "bare", profile: bare });
    const m2 = mutex_init(h2, "m", MUTEX_DEFAULT, IPL_NONE);
    h2.kthread_create({
      name: "a",
      pri: PRI_KERNEL,
      *body() {
        yield* mutex_enter(m2);
        yield* mutex_exit(m2);
      },
    });
    expect(() => sim2.run()).toThrow(
      /membar_release: profile test has no membarOps; say which fences/,
    );
  });
});

describe("membar_ops", () => {
  it("membar_acquire, membar_release and membar_sync each issue the fences the profile names for it", () => {
    const sim = new Simulation({ seed: 1 });
    const base = testProfile(1);
    // a distinct cost for each op: acquire a syncw, release nothing, sync both
    const profile = {
      ...base,
      costs: { ...base.costs, fenceCycles: { sync: 100, syncw: 10 } },
      membarOps: { acquire: ["syncw"], release: [], sync: ["sync", "syncw"] },
    };
    const host = sim.addHost({ name: "sut", profile });
    const ns: number[] = [];
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        for (const f of [membar_acquire, membar_release, membar_sync]) {
          const t0 = nanotime();
          yield* f();
          ns.push(nanotime() - t0);
        }
      },
    });
    sim.run();
    expect(ns).toEqual([10, 0, 110]);
  });
});

describe("spin mutex", () => {
  it("holds off interrupts at or below its level until mutex_spin_exit, not those above", () => {
    const { sim, host } = machine(1);
    const mtx = mutex_init(host, "sc_intr_lock", MUTEX_SPIN, IPL_VM);
    const ran: [string, number][] = [];
    let released = -1;
    thread(host, "t", 0, function* () {
      yield* mutex_spin_enter(mtx);
      yield* work(20_000);
      released = nanotime();
      yield* mutex_spin_exit(mtx);
      yield* work(1_000);
    });
    for (const [name, ipl] of [
      ["vm", IPL_VM],
      ["high", IPL_HIGH],
    ] as const) {
      const ih = host.intr_establish({
        name,
        ipl,
        cpu: 0,
        *handler() {
          ran.push([name, nanotime()]);
        },
      });
      sim.at(5_000, () => ih.raise());
    }
    sim.run();
    expect(ran[0]![0]).toBe("high");
    expect(ran[0]![1]).toBeLessThan(6_000);
    expect(ran[1]![0]).toBe("vm");
    expect(ran[1]![1]).toBeGreaterThan(released);
    expect(host.cpus[0]!.ipl).toBe(IPL_NONE);
  });

  it("restores the IPL only when the last spin mutex of the CPU is released", () => {
    const { sim, host } = machine(1);
    const a = mutex_init(host, "a", MUTEX_SPIN, IPL_VM);
    const b = mutex_init(host, "b", MUTEX_SPIN, IPL_HIGH);
    const ipls: number[] = [];
    thread(host, "t", 0, function* (this: void) {
      const cpu = host.cpus[0]!;
      yield* mutex_spin_enter(a);
      ipls.push(cpu.ipl);
      yield* mutex_spin_enter(b);
      ipls.push(cpu.ipl);
      yield* mutex_spin_exit(b);
      ipls.push(cpu.ipl);
      yield* mutex_spin_exit(a);
      ipls.push(cpu.ipl);
    });
    sim.run();
    // NetBSD restores ci_mtx_oldspl with the last release, not the level of each
    expect(ipls).toEqual([IPL_VM, IPL_HIGH, IPL_HIGH, IPL_NONE]);
  });
});

describe("KERNEL_LOCK", () => {
  it("is released across a sleep and taken back with its recursion depth", () => {
    const { sim, host } = machine(2);
    const depth: number[] = [];
    let otherGotItAt = -1;
    let sleeperBack = -1;
    thread(host, "sleeper", 0, function* () {
      yield* KERNEL_LOCK();
      yield* KERNEL_LOCK(2);
      depth.push(kernel_lock_held());
      yield* ksleep("biowait", 50_000);
      sleeperBack = nanotime();
      depth.push(kernel_lock_held());
      for (let i = 0; i < 3; i++) yield* KERNEL_UNLOCK_ONE();
      depth.push(kernel_lock_held());
    });
    thread(host, "other", 1, function* () {
      yield* work(10_000);
      yield* KERNEL_LOCK();
      otherGotItAt = nanotime();
      depth.push(kernel_lock_held());
      yield* work(5_000);
      yield* KERNEL_UNLOCK_ONE();
    });
    sim.run();
    expect(depth).toEqual([3, 1, 3, 0]);
    expect(otherGotItAt).toBeLessThan(sleeperBack);
  });
});

describe("rwlock", () => {
  it("admits readers together and prefers a waiting writer over new readers", () => {
    const { sim, host } = machine(4);
    const rw = rw_init(host, "pcb_lock");
    const log: string[] = [];
    const reader = (name: string, cpu: number, at: number) =>
      thread(host, name, cpu, function* () {
        yield* work(at);
        yield* rw_enter(rw, RW_READER);
        log.push(`${name}+`);
        yield* work(20_000);
        log.push(`${name}-`);
        yield* rw_exit(rw);
      });
    reader("r1", 0, 0);
    reader("r2", 1, 2_000);
    thread(host, "w", 2, function* () {
      yield* work(5_000);
      yield* rw_enter(rw, RW_WRITER);
      log.push("w+");
      yield* work(10_000);
      log.push("w-");
      yield* rw_exit(rw);
    });
    reader("r3", 3, 8_000);
    sim.run();
    expect(log.slice(0, 2)).toEqual(["r1+", "r2+"]);
    expect(log.indexOf("w+")).toBeLessThan(log.indexOf("r3+"));
    expect(log.indexOf("w+")).toBeGreaterThan(log.indexOf("r2-"));
  });
});

describe("sleep lock", () => {
  it("may be held across a sleep; a second taker sleeps instead of spinning", () => {
    const { sim, host } = machine(2);
    const sb = sleeplock_init(host, "sb_lock");
    let second = -1;
    thread(host, "a", 0, function* () {
      yield* sleeplock_enter(sb);
      yield* ksleep("uiomove", 30_000);
      yield* sleeplock_exit(sb);
    });
    thread(host, "b", 1, function* () {
      yield* work(5_000);
      yield* sleeplock_enter(sb);
      second = nanotime();
      yield* sleeplock_exit(sb);
    });
    sim.run();
    expect(second).toBeGreaterThan(31_000);
    expect(host.cpus[1]!.timeSplit().spin).toBe(0);
    expect(sb.sleptNs).toBeGreaterThan(20_000);
  });
});

describe("contention on the lock word", () => {
  it("costs line transfers when CPUs share a lock, none when one CPU uses it", () => {
    const end = (cpus: number) => {
      const { sim, host } = machine(cpus);
      const mtx = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
      let done = 0;
      for (let c = 0; c < cpus; c++) {
        thread(host, `t${c}`, c, function* () {
          for (let i = 0; i < 200; i++) {
            yield* mutex_enter(mtx);
            yield* work(100);
            yield* mutex_exit(mtx);
            yield* work(200);
          }
          done = Math.max(done, nanotime());
        });
      }
      sim.run();
      return { transfers: mtx.line.transfers, done };
    };
    const one = end(1);
    const two = end(2);
    expect(one.transfers).toBe(1);
    expect(two.transfers).toBeGreaterThan(300);
  });
});
