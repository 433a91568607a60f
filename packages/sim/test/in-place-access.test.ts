import { describe, expect, it } from "vitest";
import {
  atomic_add,
  atomic_cas,
  atomic_swap,
  IPL_SCHED,
  IPL_VM,
  type KernelOp,
  kpreempt_disable,
  kpreempt_enable,
  load,
  membar,
  PRI_KERNEL,
  preempt,
  Simulation,
  sleep,
  spin_until,
  splraise,
  splx,
  store,
  wakeup_one,
  work,
} from "../src/index.js";
import { testProfile } from "./fixtures.js";

/**
 * Three CPUs mixing every operation that is carried out in place: memory
 * operations on three shared lines, one of them a lock taken with
 * atomic_cas and spun on; spl sections that hold off a device interrupt
 * (which stores to a line), barriers, wakeups of a sleeper, and
 * no-preemption sections. So accesses transfer lines, invalidate sharers,
 * wake spinners, unmask interrupts and meet pending events, and both
 * answers of Cpu.advance are taken.
 */
function accessRun(seed: number, inPlace: boolean, ideal: boolean, kernelPreemption: boolean) {
  const sim = new Simulation({ seed, inPlace });
  // with kernel preemption a wakeup of a higher priority LWP switches at once,
  // without it at the next preempt()
  const host = sim.addHost({ name: "sut", profile: testProfile(3), ideal, kernelPreemption });
  const rng = sim.rng;
  const word = host.cacheline("word", 0);
  const counter = host.cacheline("counter", 0);
  const lock = host.cacheline("lock", 0);
  const out: string[] = [];
  for (let t = 0; t < 3; t++) {
    host.kthread_create({
      name: `t${t}`,
      pri: PRI_KERNEL,
      cpu: t,
      bound: true,
      *body() {
        for (let k = 0; k < 150; k++) {
          let v: unknown;
          switch (rng.int(0, 8)) {
            case 0:
              v = yield* load(rng.int(0, 1) === 0 ? word : counter);
              break;
            case 1:
              yield* store(word, rng.int(0, 9));
              break;
            case 2:
              v = yield* atomic_cas(word, rng.int(0, 9), t);
              break;
            case 3:
              v = yield* atomic_swap(word, rng.int(0, 9));
              break;
            case 4:
              v = yield* atomic_add(counter, rng.int(1, 3));
              break;
            case 5: {
              const s = yield* splraise(IPL_SCHED);
              yield* membar(rng.int(0, 1) === 0 ? "sync" : "syncw");
              yield* work(rng.int(0, 500));
              v = s;
              yield* splx(s);
              break;
            }
            case 6:
              v = yield* wakeup_one("sleeper");
              break;
            case 7:
              kpreempt_disable();
              yield* work(rng.int(0, 2_000));
              yield* kpreempt_enable();
              break;
            default:
              while ((yield* atomic_cas(lock, 0, t + 1)) !== 0) {
                v = yield* spin_until([lock], () => lock.value === 0, { iterCycles: 4, tag: lock });
              }
              yield* work(rng.int(0, 200));
              yield* store(lock, 0);
          }
          out.push(`${t} ${sim.now} ${String(v)}`);
          yield* preempt();
          yield* work(rng.int(0, 60));
        }
      },
    });
  }
  host.kthread_create({
    name: "sleeper",
    pri: PRI_KERNEL + 1,
    cpu: 1,
    bound: true,
    *body() {
      while (sim.now < 200_000) {
        out.push(`sleeper ${sim.now} ${String(yield* sleep("sleeper", 5_000))}`);
        yield* work(rng.int(0, 300));
      }
    },
  });
  const dev = host.intr_establish({
    name: "dev",
    ipl: IPL_VM,
    cpu: 0,
    *handler() {
      yield* store(word, 7);
    },
  });
  const tick = () => {
    dev.raise(rng.int(0, 2));
    if (sim.now < 200_000) sim.after(rng.int(100, 3_000), tick);
  };
  sim.after(0, tick);
  sim.run();
  return {
    out,
    lines: [word, counter, lock].map((l) => `${l.value} ${l.transfers} ${l.owner}`),
    splits: host.cpus.map((c) => c.timeSplit()),
    suspensions: host.cpus.reduce((n, c) => n + c.ops, 0),
  };
}

describe("memory operations carried out in place", () => {
  for (const ideal of [false, true]) {
    it(`leave the lines, results and time splits the loop leaves${ideal ? " (ideal host)" : ""}`, () => {
      for (const [seed, kpreempt] of [
        [3, true],
        [11, false],
        [5, true],
        [8, false],
      ] as const) {
        const inPlace = accessRun(seed, true, ideal, kpreempt);
        const looped = accessRun(seed, false, ideal, kpreempt);
        expect(inPlace.out.filter((o) => !o.startsWith("sleeper")).length).toBe(450);
        expect(inPlace.out).toEqual(looped.out);
        expect(inPlace.lines).toEqual(looped.lines);
        expect(inPlace.splits).toEqual(looped.splits);
        // and the operations' own calls carried out many of them (on a real
        // host the three CPUs' segments often end before an access's cost)
        expect(inPlace.suspensions).toBeLessThan(looped.suspensions * (ideal ? 0.5 : 0.8));
      }
    });
  }

  it("leave a CPU that runs alone without a suspension", () => {
    const sim = new Simulation({ seed: 1 });
    const host = sim.addHost({ name: "sut", profile: testProfile(1) });
    const line = host.cacheline("word", 0);
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        for (let k = 0; k < 100; k++) {
          yield* store(line, k);
          yield* load(line);
          yield* atomic_cas(line, k, k + 1);
          yield* atomic_swap(line, k);
          yield* atomic_add(line, 1);
          yield* membar("sync");
          const s = yield* splraise(IPL_VM);
          yield* splx(s);
          yield* wakeup_one("nobody");
          yield* preempt();
        }
      },
    });
    sim.run();
    // the first resume only: the 1,000 operations count toward the livelock
    // check from where they stand (running.ops), none is forced through the loop
    expect(host.cpus[0]!.ops).toBe(1);
  });

  it("still count toward the livelock check: a zero-time loop of them on an ideal host stops", () => {
    const sim = new Simulation({ seed: 1 });
    const host = sim.addHost({ name: "peer", profile: testProfile(1), ideal: true });
    const line = host.cacheline("word", 0);
    host.kthread_create({
      name: "loop",
      pri: PRI_KERNEL,
      *body() {
        // 5 operations an iteration: the check must stop the loop at 10,000,000
        for (let i = 0; i < 3_000_000; i++) {
          const s = yield* splraise(IPL_VM);
          yield* atomic_add(line, 1);
          yield* membar("sync");
          yield* wakeup_one("nobody");
          yield* splx(s);
        }
      },
    });
    expect(() => sim.run()).toThrow(
      /livelock: peer\/cpu0 ran 10000000 operations without time passing/,
    );
  });

  it("send an IPL, a fence or a kpreempt_enable the loop refuses to it, which names it", () => {
    const cases: [() => KernelOp<unknown>, RegExp][] = [
      [() => splx(42 as never), /splx: unknown IPL 42/],
      [() => membar("lwsync"), /membar: profile test has no fence "lwsync"; it has: sync, syncw/],
      [() => kpreempt_enable(), /kpreempt_enable: .* has preemption enabled already/],
    ];
    for (const [bad, message] of cases) {
      const sim = new Simulation({ seed: 1 });
      const host = sim.addHost({ name: "sut", profile: testProfile(1) });
      host.kthread_create({
        name: "t",
        pri: PRI_KERNEL,
        *body() {
          yield* work(10);
          yield* bad();
        },
      });
      expect(() => sim.run()).toThrow(message);
    }
  });

  it("send a line of the wrong kind to the loop, which names it", () => {
    const sim = new Simulation({ seed: 1 });
    const host = sim.addHost({ name: "sut", profile: testProfile(1) });
    const line = host.cacheline("flags", "up");
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        yield* work(10);
        yield* atomic_add(line, 1);
      },
    });
    expect(() => sim.run()).toThrow(/atomic_add: line flags holds up, not a number/);
    const sim2 = new Simulation({ seed: 1 });
    const host2 = sim2.addHost({ name: "sut", profile: testProfile(1) });
    host2.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        yield* work(10);
        yield* store({} as never, 1);
      },
    });
    expect(() => sim2.run()).toThrow(/store: expected a CacheLine \(host.cacheline\(name\)\)/);
  });
});
