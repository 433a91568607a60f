import { describe, expect, it } from "vitest";
import {
  after,
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

/*
 * A plain helper of k + 1 steps whose continuations take k arguments
 * (0 to 8): each step an atomic add, the rest through `after` when the add
 * was not carried out in place. The last step's continuation hands back a
 * further plain helper (nested `after`s), or a generator that finishes
 * without yielding.
 */
function sum(line: CacheLine, k: number): KernelOp<number> {
  const args = Array.from({ length: k }, (_, i) => i + 1);
  const o = atomic_add(line, 1);
  if (paid(o)) return summed(line, k, ...args, paidValue());
  return (after as (...a: unknown[]) => KernelOp<number>)(o, bound(line, k), ...args);
}

/** The continuation of arity k: its k arguments, then the add's value. */
function bound(line: CacheLine, k: number): (...a: number[]) => KernelOp<number> {
  return (...a: number[]) => {
    if (a.length !== k + 1) throw new Error(`arity ${a.length}, expected ${k + 1}`);
    return summed(line, k, ...a);
  };
}

function summed(line: CacheLine, k: number, ...a: unknown[]): KernelOp<number> {
  const total = (a as number[]).reduce((s, x) => s + x, 0);
  if (k === 0) return done(total);
  const next = k % 2 === 0 ? sum(line, k - 1) : finished(k);
  return paid(next) ? done(total + (paidValue() as number)) : after(next, plus, total);
}

function* finished(k: number): KernelGen<number> {
  return k * 1000;
}

function plus(a: number, b: number): KernelOp<number> {
  return done(a + b);
}

/** Adds 1 to `line` `left` times, summing the values: a plain loop, each slow step through `after`. */
function count(line: CacheLine, left: number, acc: number): KernelOp<number> {
  for (; left > 0; left--) {
    const o = atomic_add(line, 1);
    if (!paid(o)) return after(o, counted, line, left, acc);
    acc += paidValue() as number;
  }
  return done(acc);
}

/** One slow step's rest; every third hands on an `after` whose operation is already done. */
function counted(line: CacheLine, left: number, acc: number, v: number): KernelOp<number> {
  if (left % 3 === 0) return after(done(acc + v), countOn, line, left - 1);
  return count(line, left - 1, acc + v);
}

function countOn(line: CacheLine, left: number, acc: number): KernelOp<number> {
  return count(line, left, acc);
}

function run(inPlace: boolean) {
  const sim = new Simulation({ seed: 3, inPlace });
  const host = sim.addHost({ name: "sut", profile: testProfile(2) });
  const out: string[] = [];
  for (let c = 0; c < 2; c++) {
    const line = host.cacheline(`counter${c}`, 0);
    host.kthread_create({
      name: `t${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        for (let k = 0; k <= 8; k++) {
          const v = yield* sum(line, k);
          out.push(`${c} ${k} ${nanotime()} ${v}`);
          // cpu1 calls rarely, so cpu0 mostly runs ahead of the event queue
          yield* work(c === 0 ? 3 : 2_000);
        }
      },
    });
  }
  sim.run();
  return out;
}

describe("after: a plain helper's slow path", () => {
  it("calls continuations of every arity with their arguments, nested, as the fast path does, to the bit", () => {
    const looped = run(false);
    const inPlace = run(true);
    // each thread's own counter: the values are known whichever path each step took
    let count = 0;
    const model = (k: number): number => {
      const total = (k * (k + 1)) / 2 + ++count;
      if (k === 0) return total;
      return total + (k % 2 === 0 ? model(k - 1) : k * 1000);
    };
    const want: number[] = [];
    for (let k = 0; k <= 8; k++) want.push(model(k));
    for (const out of [looped, inPlace]) {
      for (const c of [0, 1]) {
        const mine = out.filter((l) => l.startsWith(`${c} `)).map((l) => Number(l.split(" ")[3]));
        expect(mine).toEqual(want);
      }
    }
    expect(inPlace).toEqual(looped);
  });

  it("runs a plain loop whose every step goes through the loop at a constant depth", () => {
    // 100,000 steps, each an add the loop carries out (no in-place operations):
    // nesting one `after` per step would overflow the stack long before the end
    const N = 100_000;
    const sim = new Simulation({ seed: 1, inPlace: false });
    const host = sim.addHost({ name: "sut", profile: testProfile(1) });
    const line = host.cacheline("n", 0);
    let total = -1;
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        total = yield* count(line, N, 0);
      },
    });
    sim.run();
    expect(total).toBe((N * (N + 1)) / 2);
  });

  it("refuses more than eight arguments for the continuation, by name", () => {
    const o = work(1);
    expect(() =>
      (after as (...a: unknown[]) => unknown)(o, plus, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    ).toThrow("after: 9 arguments for the continuation; at most 8");
  });
});
