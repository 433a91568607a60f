import { KERNEL_LOCK, KERNEL_UNLOCK_ONE, kernel_lock_held } from "@smpnet/core";
import { IPL_SOFTNET, IPL_VM, nanotime, splraise, splx, work } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  callout_init,
  callout_reset,
  SOFTINT_MPSAFE,
  SOFTINT_NET,
  softint_establish,
  softint_schedule,
} from "../src/index.js";
import { kthread, machine } from "./fixtures.js";

/** A thread on cpu0 that holds KERNEL_LOCK for `ns` of work. */
function holder(host: ReturnType<typeof machine>["host"], ns: number) {
  return kthread(host, "giant", 0, function* () {
    yield* KERNEL_LOCK(1);
    yield* work(ns);
    yield* KERNEL_UNLOCK_ONE();
  });
}

describe("KERNEL_LOCK in softints and callouts", () => {
  it("a non-MPSAFE softint that interrupts the holder on its CPU runs at once", () => {
    const { sim, host } = machine(2);
    holder(host, 20_000_000);
    let ranAt = -1;
    const net = softint_establish(
      host,
      SOFTINT_NET,
      function* () {
        ranAt = nanotime();
        yield* work(1_000);
      },
      null,
    );
    const dev = host.intr_establish({
      name: "dev",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        yield* softint_schedule(net);
      },
    });
    sim.at(1_000_000, () => dev.raise());
    sim.run(20_000_000);
    // it takes the lock its CPU holds already: no spin, no wait for the holder
    expect(ranAt).toBeGreaterThan(1_000_000);
    expect(ranAt).toBeLessThan(1_010_000);
    expect(host.cpus[0]!.timeSplit().spin).toBe(0);
  });

  it("a non-MPSAFE callout that fires on the holder's CPU runs at once", () => {
    const { sim, host } = machine(2);
    let firedAt = -1;
    const c = callout_init(host, 0, "giant callout");
    kthread(host, "giant", 0, function* () {
      yield* KERNEL_LOCK(1);
      yield* callout_reset(
        c,
        1,
        function* () {
          firedAt = nanotime();
        },
        null,
      );
      yield* work(50_000_000);
      yield* KERNEL_UNLOCK_ONE();
    });
    sim.run(50_000_000);
    // due at the next tick (10 ms), while the holder still holds the lock
    expect(firedAt).toBeGreaterThan(10_000_000);
    expect(firedAt).toBeLessThan(20_100_000);
    expect(host.cpus[0]!.timeSplit().spin).toBe(0);
  });

  it("an MPSAFE handler queued after a non-MPSAFE one runs without the lock", () => {
    const { sim, host } = machine(2);
    const held: [string, number][] = [];
    const giant = softint_establish(
      host,
      SOFTINT_NET,
      function* () {
        held.push(["giant", kernel_lock_held()]);
        yield* work(1_000);
      },
      null,
    );
    const safe = softint_establish(
      host,
      SOFTINT_NET | SOFTINT_MPSAFE,
      function* () {
        held.push(["safe", kernel_lock_held()]);
        yield* work(100_000);
      },
      null,
    );
    // cpu1 wants the lock while the MPSAFE handler runs on cpu0
    let cpu1GotAt = -1;
    kthread(host, "other", 1, function* () {
      yield* work(20_000);
      yield* KERNEL_LOCK(1);
      cpu1GotAt = nanotime();
      yield* KERNEL_UNLOCK_ONE();
    });
    // both queued before the level runs: one softint_execute pass over them
    kthread(host, "t", 0, function* () {
      const s = yield* splraise(IPL_SOFTNET);
      yield* softint_schedule(giant);
      yield* softint_schedule(safe);
      yield* splx(s);
    });
    sim.run(1_000_000);
    expect(held).toEqual([
      ["giant", 1],
      ["safe", 0],
    ]);
    // not held for the whole queue: cpu1 gets it while the MPSAFE one still runs
    expect(cpu1GotAt).toBeGreaterThan(0);
    expect(cpu1GotAt).toBeLessThan(50_000);
  });

  it("an interrupt during the holder's compare-and-swap waits for splx: its softint finds the CPU's count set", () => {
    const { sim, host } = machine(2);
    let ranAt = -1;
    const net = softint_establish(
      host,
      SOFTINT_NET,
      function* () {
        ranAt = nanotime();
      },
      null,
    );
    const dev = host.intr_establish({
      name: "dev",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        yield* softint_schedule(net);
      },
    });
    kthread(host, "giant", 0, function* () {
      yield* work(1_000);
      // 15 ns on: after the fast path's 10 cycles, inside the CAS's 21
      sim.at(nanotime() + 15, () => dev.raise());
      yield* KERNEL_LOCK(1);
      yield* work(100_000);
      yield* KERNEL_UNLOCK_ONE();
    });
    sim.run(1_000_000);
    expect(ranAt).toBeGreaterThan(0);
    expect(ranAt).toBeLessThan(10_000);
    expect(host.cpus[0]!.timeSplit().spin).toBe(0);
  });
});
