import { describe, expect, it } from "vitest";
import {
  atomic_add,
  atomic_cas,
  type CacheLine,
  load,
  PRI_KERNEL,
  spin_until,
  store,
  work,
} from "../src/index.js";
import { machine } from "./fixtures.js";

function counterRun(writers: number, incs: number) {
  const { sim, host } = machine(4);
  const line = host.cacheline("counter", 0);
  const finish: number[] = [];
  for (let i = 0; i < writers; i++) {
    host.kthread_create({
      name: `w${i}`,
      pri: PRI_KERNEL,
      cpu: i,
      bound: true,
      *body() {
        for (let k = 0; k < incs; k++) {
          yield* atomic_add(line, 1);
          yield* work(100);
        }
        finish.push(sim.now);
      },
    });
  }
  sim.run();
  return { line, end: Math.max(...finish), value: line.value };
}

describe("cache lines", () => {
  it("makes one CPU writing a line alone pay no transfers after the first", () => {
    const { line, end, value } = counterRun(1, 1000);
    expect(value).toBe(1000);
    expect(line.transfers).toBe(1);
    // switch 1000 + first transfer 50 + 1000 x (rmw 20 + 100 work) + 999 hits
    expect(end).toBe(1000 + 50 + 1000 * 120 + 999);
  });

  it("makes two CPUs writing one line pay a transfer on nearly every write", () => {
    const { line, end, value } = counterRun(2, 1000);
    expect(value).toBe(2000);
    expect(line.transfers).toBeGreaterThan(1900);
    expect(end).toBeGreaterThan(1000 + 1000 * (120 + 50));
  });

  it("charges an invalidation per other sharer on a write", () => {
    const { sim, host } = machine(4);
    const line = host.cacheline("shared", 1);
    let writeNs = -1;
    for (let i = 1; i < 4; i++) {
      host.kthread_create({
        name: `r${i}`,
        pri: PRI_KERNEL,
        cpu: i,
        bound: true,
        *body() {
          yield* load(line);
        },
      });
    }
    host.kthread_create({
      name: "writer",
      pri: PRI_KERNEL,
      cpu: 0,
      bound: true,
      *body() {
        yield* work(10_000);
        const t0 = sim.now;
        yield* store(line, 2);
        writeNs = sim.now - t0;
      },
    });
    sim.run();
    expect(writeNs).toBe(50 + 3 * 10);
  });

  it("hands a spun-on lock word to the next CPU, which pays the transfer", () => {
    const { sim, host } = machine(2);
    const lock = host.cacheline("lock", 0);
    const spun: number[] = [];
    let acquiredAt = -1;
    host.kthread_create({
      name: "holder",
      pri: PRI_KERNEL,
      cpu: 0,
      bound: true,
      *body() {
        yield* atomic_cas(lock, 0, 1);
        yield* work(20_000);
        yield* store(lock, 0);
      },
    });
    host.kthread_create({
      name: "waiter",
      pri: PRI_KERNEL,
      cpu: 1,
      bound: true,
      *body() {
        yield* work(5_000);
        for (;;) {
          spun.push(
            yield* spin_until([lock], () => lock.value === 0, { iterCycles: 10, tag: lock }),
          );
          if ((yield* atomic_cas(lock, 0, 1)) === 0) break;
        }
        acquiredAt = sim.now;
      },
    });
    sim.run();
    // holder: switch 1000, cas 70, work to 21070, release store 50 -> 21120
    // waiter spins from 6000 (switch 1000 + work 5000) until the release is seen
    expect(spun.length).toBe(1);
    expect(spun[0]).toBeGreaterThanOrEqual(21_120 - 6_000);
    expect(acquiredAt).toBeGreaterThan(21_120);
    expect(host.cpus[1]!.timeSplit().spin).toBe(spun[0]);
  });

  it("re-tests a spin when an interrupt preempts it, without losing the spin time", () => {
    const { sim, host } = machine(2);
    const flag: CacheLine = host.cacheline("flag", 0);
    let spunNs = -1;
    host.kthread_create({
      name: "setter",
      pri: PRI_KERNEL,
      cpu: 0,
      bound: true,
      *body() {
        yield* work(30_000);
        yield* store(flag, 1);
      },
    });
    host.kthread_create({
      name: "spinner",
      pri: PRI_KERNEL,
      cpu: 1,
      bound: true,
      *body() {
        spunNs = yield* spin_until([flag], () => flag.value === 1, { iterCycles: 1 });
      },
    });
    const ih = host.intr_establish({
      name: "dev",
      ipl: 5,
      cpu: 1,
      *handler() {
        yield* work(4_850);
      },
    });
    sim.at(10_000, () => ih.raise());
    sim.run();
    const s1 = host.cpus[1]!.timeSplit();
    expect(s1["intr:vm"]).toBe(5_000);
    expect(spunNs).toBe(s1.spin);
    // spin from 1000 to the store at 31000 plus the transfer, minus the interrupt
    expect(s1.spin).toBe(31_050 + 50 - 1_000 - 5_000);
  });
});
