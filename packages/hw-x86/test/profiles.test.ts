import {
  load,
  membar,
  nanotime,
  PRI_KERNEL,
  profileSourceGaps,
  Simulation,
  store,
  validateProfile,
  work,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { x86, x86Sources } from "../src/index.js";

describe("x86 profile", () => {
  it("passes the profile check and gives a source for every constant", () => {
    expect(validateProfile(x86)).toEqual(x86);
    expect(profileSourceGaps(x86, x86Sources)).toEqual({ missing: [], stale: [] });
  });

  it("hands a line written on one core to a reader on another at the measured transfer cost", () => {
    const sim = new Simulation({ seed: 1 });
    const host = sim.addHost({ name: "x86", profile: x86 });
    const line = host.cacheline("flag", 0);
    const reads: number[] = [];
    host.kthread_create({
      name: "writer",
      pri: PRI_KERNEL,
      cpu: 0,
      bound: true,
      *body() {
        yield* store(line, 1);
      },
    });
    host.kthread_create({
      name: "reader",
      pri: PRI_KERNEL,
      cpu: 1,
      bound: true,
      *body() {
        yield* work(30_000);
        for (let i = 0; i < 2; i++) {
          const t0 = nanotime();
          yield* load(line);
          reads.push(nanotime() - t0);
        }
      },
    });
    sim.run();
    // 51 cycles at 3 GHz: 17 ns; then a hit, 4 cycles (to the machine's 2^-10 ns quantum)
    expect(reads[0]).toBe(17);
    expect(reads[1]).toBeCloseTo(4 / 3, 3);
  });

  it("prices mfence and refuses MIPS fences", () => {
    const sim = new Simulation({ seed: 1 });
    const host = sim.addHost({ name: "x86", profile: x86 });
    let ns = -1;
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        const t0 = nanotime();
        yield* membar("mfence");
        ns = nanotime() - t0;
        yield* membar("syncw");
      },
    });
    expect(() => sim.run()).toThrow('membar: profile x86 has no fence "syncw"; it has: mfence');
    expect(ns).toBe(11);
  });
});
