import { describe, expect, it } from "vitest";
import {
  atomic_add,
  atomic_cas,
  atomic_swap,
  IPL_HIGH,
  load,
  PRI_KERNEL,
  Simulation,
  spin_until,
  store,
  work,
} from "../src/index.js";
import { testProfile } from "./fixtures.js";

/**
 * Three CPUs mixing every memory operation on three shared lines, one of
 * them a lock taken with atomic_cas and spun on, under a device interrupt
 * that stores to a line: accesses that transfer lines, invalidate sharers,
 * wake spinners and meet pending events, so that both answers of
 * Cpu.advance are taken.
 */
function accessRun(seed: number, inPlace: boolean, ideal: boolean) {
  const sim = new Simulation({ seed, inPlace });
  const host = sim.addHost({ name: "sut", profile: testProfile(3), ideal });
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
          switch (rng.int(0, 5)) {
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
            default:
              while ((yield* atomic_cas(lock, 0, t + 1)) !== 0) {
                v = yield* spin_until([lock], () => lock.value === 0, { iterCycles: 4, tag: lock });
              }
              yield* work(rng.int(0, 200));
              yield* store(lock, 0);
          }
          out.push(`${t} ${sim.now} ${String(v)}`);
          yield* work(rng.int(0, 60));
        }
      },
    });
  }
  const dev = host.intr_establish({
    name: "dev",
    ipl: IPL_HIGH,
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
      for (const seed of [3, 11]) {
        const inPlace = accessRun(seed, true, ideal);
        const looped = accessRun(seed, false, ideal);
        expect(inPlace.out.length).toBe(450);
        expect(inPlace.out).toEqual(looped.out);
        expect(inPlace.lines).toEqual(looped.lines);
        expect(inPlace.splits).toEqual(looped.splits);
        // and the operations' own calls carried out many of them (on a real
        // host the three CPUs' segments often end before an access's cost)
        expect(inPlace.suspensions).toBeLessThan(looped.suspensions * (ideal ? 0.5 : 0.8));
      }
    });
  }

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
