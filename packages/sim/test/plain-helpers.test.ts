import { describe, expect, it } from "vitest";
import {
  atomic_add,
  type CacheLine,
  done,
  type KernelGen,
  type KernelOp,
  nanotime,
  PRI_KERNEL,
  paid,
  paidValue,
  Simulation,
  work,
} from "../src/index.js";
import { testProfile } from "./fixtures.js";

let fast = 0;
let slow = 0;

/** A plain helper written as ops.ts says: work, then an atomic add, the sum as its result. */
function bump(line: CacheLine): KernelOp<number> {
  const o = work(30);
  if (!paid(o)) return bump_slow(line, o, 0);
  const a = atomic_add(line, 1);
  if (!paid(a)) return bump_slow(line, a, 1);
  fast++;
  return done((paidValue() as number) * 10);
}

function* bump_slow(line: CacheLine, pending: KernelOp<unknown>, step: number): KernelGen<number> {
  slow++;
  let v = yield* pending;
  if (step < 1) v = yield* atomic_add(line, 1);
  return (v as number) * 10;
}

function run(inPlace: boolean) {
  fast = 0;
  slow = 0;
  const sim = new Simulation({ seed: 5, inPlace });
  const host = sim.addHost({ name: "sut", profile: testProfile(2) });
  const line = host.cacheline("counter", 0);
  const out: string[] = [];
  for (let c = 0; c < 2; c++) {
    host.kthread_create({
      name: `t${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        for (let i = 0; i < 300; i++) {
          const v = yield* bump(line);
          out.push(`${c} ${nanotime()} ${v}`);
          // cpu1 calls rarely, so cpu0 mostly runs ahead of the event queue
          yield* work(c === 0 ? 7 : 2_000);
        }
      },
    });
  }
  sim.run();
  return { out, fast, slow };
}

describe("plain kernel helpers (paid, paidValue, done)", () => {
  it("return their result from the fast path and give the loop's run to the bit", () => {
    const looped = run(false);
    const inPlace = run(true);
    expect(looped.out.length).toBe(600);
    expect(inPlace.out).toEqual(looped.out);
    // the sums are all there: each of the 600 adds seen once
    const sums = inPlace.out.map((s) => Number(s.split(" ")[2]) / 10).sort((a, b) => a - b);
    expect(sums).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    // through the loop every call takes the slow path; in place most do not
    expect(looped.fast).toBe(0);
    expect(inPlace.fast).toBeGreaterThan(300);
    expect(inPlace.slow).toBeGreaterThan(0);
  });
});
