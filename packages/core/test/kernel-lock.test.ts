import {
  type Host,
  IPL_NONE,
  IPL_SOFTNET,
  type KernelGen,
  nanotime,
  PRI_KERNEL,
  PRI_SOFTNET,
  paid,
  Simulation,
  softint_return,
  wakeup,
  work,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  caller,
  KERNEL_LOCK,
  KERNEL_UNLOCK_ONE,
  kernel_lock,
  kernel_lock_held,
  kfn,
  kfnOp,
  lockstat_enable,
  MUTEX_DEFAULT,
  mutex_enter,
  mutex_exit,
  mutex_init,
  RW_WRITER,
  rw_enter,
  rw_exit,
  rw_init,
} from "../src/index.js";
import { machine, testProfile } from "./fixtures.js";

function thread(host: Host, name: string, cpu: number, body: () => KernelGen) {
  return host.kthread_create({ name, pri: PRI_KERNEL, cpu, bound: true, body });
}

/**
 * A softint-like LWP on `cpu`: it waits for its dispatch with softint_return,
 * and once woken it interrupts and pins what runs there.
 */
function softint(host: Host, name: string, cpu: number, body: () => KernelGen) {
  return host.kthread_create({
    name,
    pri: PRI_SOFTNET,
    cpu,
    bound: true,
    nopreempt: true,
    softIpl: IPL_SOFTNET,
    body,
  });
}

/** A thread on `cpu` holding KERNEL_LOCK from `at` for `ns`. */
function giant(host: Host, cpu: number, at: number, ns: number) {
  thread(host, "giant", cpu, function* () {
    yield* work(at);
    yield* KERNEL_LOCK();
    yield* work(ns);
    yield* KERNEL_UNLOCK_ONE();
  });
}

describe("KERNEL_LOCK", () => {
  it("records one Kernel lock spin per waited acquisition, with the whole wait, none for a wait nested over it", () => {
    const { sim, host } = machine(3);
    const ls = lockstat_enable(host);
    giant(host, 0, 0, 100_000);
    // cpu1: a thread spins for the lock; a softint on the same CPU comes in
    // while it spins and waits for the lock too
    thread(
      host,
      "spinner",
      1,
      kfn("tcp_output", function* () {
        yield* work(5_000);
        yield* KERNEL_LOCK();
        yield* KERNEL_UNLOCK_ONE();
      }),
    );
    const nested = softint(
      host,
      "nested",
      1,
      kfn("ipintr", function* () {
        yield* softint_return("start");
        yield* KERNEL_LOCK();
        yield* work(1_000);
        yield* KERNEL_UNLOCK_ONE();
      }),
    );
    thread(host, "waker", 2, function* () {
      yield* work(50_000);
      yield* wakeup("start");
    });
    sim.run();
    expect(nested.switches).toBe(2);
    const r = ls.records();
    expect(r.map((x) => [x.event, x.lock, x.caller, x.count])).toEqual([
      ["Kernel lock spin", "kernel_lock", "tcp_output", 1],
    ]);
    // from 7 us until after the nested softint has had the lock (103 us),
    // not only until the holder let go (101 us)
    expect(r[0]!.timeNs).toBeGreaterThan(95_000);
  });

  it("holds are counted per CPU: whatever runs on the holder's CPU takes it again at once", () => {
    const { sim, host } = machine(2);
    const held: number[] = [];
    let ranAt = -1;
    thread(host, "holder", 0, function* () {
      yield* KERNEL_LOCK();
      yield* wakeup("go");
      yield* work(100_000);
      held.push(kernel_lock_held());
      yield* KERNEL_UNLOCK_ONE();
    });
    softint(host, "over", 0, function* () {
      yield* softint_return("go");
      yield* KERNEL_LOCK();
      ranAt = nanotime();
      held.push(kernel_lock_held());
      yield* KERNEL_UNLOCK_ONE();
    });
    sim.run(1_000_000);
    expect(ranAt).toBeGreaterThan(0);
    expect(ranAt).toBeLessThan(10_000);
    expect(held).toEqual([1, 1]);
    expect(host.cpus[0]!.timeSplit().spin).toBe(0);
  });
});

describe("KERNEL_LOCK of two hosts", () => {
  it("is each host's own: holding one never delays the other's", () => {
    const sim = new Simulation({ seed: 1 });
    const hosts = ["a", "b"].map((name) => sim.addHost({ name, profile: testProfile(1) }));
    const log: string[] = [];
    for (const host of hosts) {
      // the hosts alternate every 1,000 ns while each holds its lock for 5,000
      thread(host, `${host.name}.t`, 0, function* () {
        for (let i = 0; i < 3; i++) {
          yield* KERNEL_LOCK();
          for (let k = 0; k < 5; k++) {
            log.push(`${host.name} ${nanotime()} ${kernel_lock_held()}`);
            yield* work(1_000);
          }
          yield* KERNEL_UNLOCK_ONE();
        }
      });
    }
    sim.run();
    expect(kernel_lock(hosts[0]!)).not.toBe(kernel_lock(hosts[1]!));
    expect(kernel_lock(hosts[0]!)).toBe(kernel_lock(hosts[0]!));
    // the two never waited for each other: both ran 15,000 ns of holds from the start
    for (const host of hosts) {
      const mine = log.filter((e) => e.startsWith(`${host.name} `));
      expect(mine.length).toBe(15);
      expect(mine.every((e) => e.endsWith(" 1"))).toBe(true);
      expect(host.cpus[0]!.timeSplit().spin).toBe(0);
    }
  });
});

describe("waiting on an owner that spins for KERNEL_LOCK", () => {
  /** cpu0 holds the big lock; cpu1 takes `take`, then spins for the big lock; cpu2 wants `take`'s lock. */
  function scenario(kind: "mutex" | "rwlock") {
    const { sim, host } = machine(3);
    const ls = lockstat_enable(host);
    const mtx = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
    const rw = rw_init(host, "pcb_lock");
    giant(host, 0, 0, 200_000);
    thread(host, "owner", 1, function* () {
      yield* work(5_000);
      if (kind === "mutex") yield* mutex_enter(mtx);
      else yield* rw_enter(rw, RW_WRITER);
      yield* KERNEL_LOCK();
      yield* KERNEL_UNLOCK_ONE();
      if (kind === "mutex") yield* mutex_exit(mtx);
      else yield* rw_exit(rw);
    });
    thread(host, "waiter", 2, function* () {
      yield* work(20_000);
      if (kind === "mutex") yield* mutex_enter(mtx);
      else yield* rw_enter(rw, RW_WRITER);
      if (kind === "mutex") yield* mutex_exit(mtx);
      else yield* rw_exit(rw);
    });
    sim.run();
    return { host, events: ls.records().map((r) => r.event) };
  }

  it("an adaptive mutex waiter sleeps instead of spinning (mutex_oncpu)", () => {
    const { host, events } = scenario("mutex");
    expect(events).toContain("Adaptive mutex sleep");
    expect(events).not.toContain("Adaptive mutex spin");
    expect(host.cpus[2]!.timeSplit().spin).toBe(0);
  });

  it("an rwlock waiter sleeps instead of spinning (rw_oncpu)", () => {
    const { host, events } = scenario("rwlock");
    expect(events).toContain("RW lock sleep");
    expect(events).not.toContain("RW lock spin");
    expect(host.cpus[2]!.timeSplit().spin).toBe(0);
  });
});

describe("kfn", () => {
  it("passes a body its arguments, defaults included, and refuses a body of more than three parameters", () => {
    const { sim, host } = machine(1);
    const seen: unknown[] = [];
    const f = kfn("tcp_input", function* (a: number, b: string, c = "default") {
      seen.push(a, b, c, caller());
      yield* work(10);
    });
    thread(host, "t", 0, function* () {
      yield* f(1, "x");
      yield* f(2, "y", "z");
    });
    sim.run();
    expect(seen).toEqual([1, "x", "default", "tcp_input", 2, "y", "z", "tcp_input"]);
    expect(() => kfn("wide", function* (_a: 1, _b: 2, _c: 3, _d: 4) {})).toThrow(
      "kfn wide: the body takes 4 parameters; at most 3 (raise KFN_MAX_ARGS)",
    );
  });
  it.each([true, false])(
    "names a plain body while it runs, finished in place or not, and a throw takes the name off (in place: %s)",
    (inPlace) => {
      const { sim, host } = machine(1, {}, 1, inPlace);
      const seen: unknown[] = [];
      const f = kfnOp("tcp_input", (a: number, b: number) => {
        seen.push(a, caller());
        const o = work(b);
        seen.push(paid(o));
        return o;
      });
      const bad = kfnOp("udp_input", (): ReturnType<typeof work> => {
        throw new Error("bad segment");
      });
      thread(host, "t", 0, function* () {
        yield* f(1, 10);
        seen.push(caller());
        yield* f(2, 0);
        seen.push(caller());
        try {
          yield* bad();
        } catch (e) {
          seen.push((e as Error).message, caller());
        }
      });
      sim.run();
      // through the loop, the name stays on until the rest has run, then comes off
      expect(seen).toEqual([
        1,
        "tcp_input",
        inPlace,
        "t",
        2,
        "tcp_input",
        inPlace,
        "t",
        "bad segment",
        "t",
      ]);
    },
  );
});
