import {
  atomic_add,
  membar,
  nanotime,
  PRI_KERNEL,
  profileConstants,
  Simulation,
  validateProfile,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { x86, x86Sources } from "../src/index.js";

describe("x86 profile", () => {
  it("passes the profile check and gives a source for every constant", () => {
    expect(validateProfile(x86)).toEqual(x86);
    const constants = profileConstants(x86);
    expect(constants.filter((k) => !x86Sources[k]?.trim())).toEqual([]);
    expect(Object.keys(x86Sources).filter((k) => !constants.includes(k))).toEqual([]);
  });

  it("pays a core-to-core transfer for a shared counter, a locked add alone", () => {
    const run = (cpus: number) => {
      const sim = new Simulation({ seed: 1 });
      const host = sim.addHost({ name: "x86", profile: x86 });
      const counter = host.cacheline("counter", 0);
      let end = 0;
      for (let c = 0; c < cpus; c++) {
        host.kthread_create({
          name: `t${c}`,
          pri: PRI_KERNEL,
          cpu: c,
          bound: true,
          *body() {
            const t0 = nanotime();
            for (let i = 0; i < 1000; i++) yield* atomic_add(counter, 1);
            end = Math.max(end, nanotime() - t0);
          },
        });
      }
      sim.run();
      return end / 1000;
    };
    // (4 + 20) cycles at 3 GHz
    expect(run(1)).toBeCloseTo(8, 0);
    // 17 ns transfers, taken in turn
    expect(run(2)).toBeGreaterThan(2 * 17);
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
