import { quantile } from "@smpnet/core";
import { IPL_VM, nanotime, PRI_USER, work } from "@smpnet/sim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CALLOUT_MPSAFE,
  callout_expired,
  callout_halt,
  callout_init,
  callout_pending,
  callout_reset,
  callout_stats,
  callout_stop,
  log2Histogram,
  softintProbes,
} from "../src/index.js";
import { kthread, machine } from "./fixtures.js";

const TICK = 10_000_000;

describe("callouts", () => {
  it("fire within one tick of their due time on an idle CPU, whatever the delay", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: TICK - 1 }),
        fc.integer({ min: 0, max: 1 }),
        (ticks, offsetNs, cpu) => {
          const { sim, host } = machine(2);
          const c = callout_init(host, CALLOUT_MPSAFE, "t");
          let setAt = -1;
          let firedAt = -1;
          let firedOn = -1;
          kthread(host, "setter", cpu, function* () {
            yield* work(offsetNs);
            setAt = nanotime();
            yield* callout_reset(
              c,
              ticks,
              function* () {
                firedAt = nanotime();
                firedOn = c.c_cpu.cpu.index;
              },
              null,
            );
          });
          sim.run((ticks + 3) * TICK + offsetNs);
          // due at the ticks-th tick after the one before setAt; run within the tick after it
          const due = (Math.floor(setAt / TICK) + ticks) * TICK;
          expect(firedAt).toBeGreaterThanOrEqual(Math.max(due, setAt));
          expect(firedAt - due).toBeLessThan(TICK + (ticks === 0 ? TICK : 0));
          expect(firedOn).toBe(cpu); // on the CPU it was scheduled on
          const st = callout_stats(host);
          expect(st.fired).toBe(1);
          expect(st.overdue).toBe(0);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("fire within one tick on a lightly loaded CPU (a user thread and a 1 kHz device)", () => {
    const { sim, host } = machine(1);
    host.kthread_create({
      name: "user",
      pri: PRI_USER,
      user: true,
      *body() {
        for (;;) yield* work(100_000);
      },
    });
    const nic = host.intr_establish({
      name: "nic",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        yield* work(20_000);
      },
    });
    const tick = () => {
      nic.raise();
      sim.after(1_000_000, tick);
    };
    sim.after(333_333, tick);
    const cs = Array.from({ length: 20 }, (_, i) => callout_init(host, CALLOUT_MPSAFE, `c${i}`));
    kthread(host, "setter", 0, function* () {
      for (let i = 0; i < cs.length; i++) {
        yield* callout_reset(
          cs[i]!,
          1 + i * 3,
          function* () {
            yield* work(500);
          },
          i,
        );
        yield* work(1_234_567);
      }
    });
    const probed: number[] = [];
    softintProbes(sim).callout_fire.subscribe((_t, _cpu, _name, _due, lateNs) =>
      probed.push(lateNs),
    );
    sim.run(100 * TICK);
    const st = callout_stats(host);
    expect(st.fired).toBe(20);
    expect(probed.sort((a, b) => a - b)).toEqual(st.latenessNs);
    expect(host.cpus[0]!.timeSplit().softclock).toBeGreaterThan(20 * 500);
    expect(st.latenessNs[0]!).toBeGreaterThanOrEqual(0);
    expect(st.latenessNs.at(-1)!).toBeLessThan(TICK);
  });

  it("callout_stop prevents a pending callout from firing", () => {
    const { sim, host } = machine(1);
    const c = callout_init(host, CALLOUT_MPSAFE, "rexmt");
    let fired = 0;
    let stopped: boolean | null = null;
    kthread(host, "t", 0, function* () {
      yield* callout_reset(
        c,
        5,
        function* () {
          fired++;
        },
        null,
      );
      yield* work(2 * TICK);
      expect(callout_pending(c)).toBe(true);
      stopped = yield* callout_stop(c);
    });
    sim.run(20 * TICK);
    expect(fired).toBe(0);
    expect(stopped).toBe(false); // it had not expired
    expect(callout_pending(c)).toBe(false);
    expect(callout_stats(host).due).toBe(0);
  });

  it("callout_halt waits for a call in progress on another CPU", () => {
    const { sim, host } = machine(2);
    const c = callout_init(host, CALLOUT_MPSAFE, "slow");
    let callEnd = -1;
    let halted = -1;
    let expired: boolean | null = null;
    kthread(host, "setter", 0, function* () {
      yield* callout_reset(
        c,
        1,
        function* () {
          yield* work(3_000_000);
          callEnd = nanotime();
        },
        null,
      );
    });
    kthread(host, "halter", 1, function* () {
      yield* work(TICK + 1_000_000); // the callout runs on CPU 0 from about 10 ms
      expired = yield* callout_halt(c);
      halted = nanotime();
    });
    sim.run(5 * TICK);
    expect(callEnd).toBeGreaterThan(TICK + 1_000_000);
    expect(halted).toBeGreaterThanOrEqual(callEnd);
    expect(expired).toBe(true);
    expect(callout_expired(c)).toBe(false);
    expect(callout_stats(host).waited).toBe(1);
  });

  it("callout_halt from the callout itself does not wait for itself", () => {
    const { sim, host } = machine(1);
    const c = callout_init(host, CALLOUT_MPSAFE, "self");
    let done = false;
    kthread(host, "setter", 0, function* () {
      yield* callout_reset(
        c,
        1,
        function* () {
          yield* callout_halt(c);
          done = true;
        },
        null,
      );
    });
    sim.run(5 * TICK);
    expect(done).toBe(true);
  });

  it("moves a pending callout earlier at once, and a later time only takes effect later", () => {
    const { sim, host } = machine(1);
    const c = callout_init(host, CALLOUT_MPSAFE, "c");
    const fires: number[] = [];
    const f = function* () {
      fires.push(nanotime());
    };
    kthread(host, "t", 0, function* () {
      yield* callout_reset(c, 50, f, null);
      yield* callout_reset(c, 2, f, null); // earlier
      yield* work(5 * TICK);
      yield* callout_reset(c, 3, f, null);
      yield* callout_reset(c, 30, f, null); // later
    });
    sim.run(100 * TICK);
    expect(fires).toHaveLength(2);
    expect(fires[0]!).toBeGreaterThanOrEqual(2 * TICK);
    expect(fires[0]!).toBeLessThan(3 * TICK);
    expect(fires[1]!).toBeGreaterThanOrEqual(35 * TICK);
    expect(fires[1]!).toBeLessThan(36 * TICK);
  });

  it("leaves a pending callout on its CPU when another CPU resets it", () => {
    const { sim, host } = machine(2);
    const c = callout_init(host, CALLOUT_MPSAFE, "c");
    let firedOn = -1;
    const f = function* () {
      firedOn = c.c_cpu.cpu.index;
    };
    kthread(host, "cpu0", 0, function* () {
      yield* callout_reset(c, 5, f, null);
    });
    kthread(host, "cpu1", 1, function* () {
      yield* work(TICK);
      yield* callout_reset(c, 2, f, null); // pending on CPU 0: stays there, moved earlier
    });
    sim.run(10 * TICK);
    expect(firedOn).toBe(0);
    expect(c.fires).toBe(1);
  });

  it("handles delays beyond the first wheel (65536 ticks and more)", () => {
    const { sim, host } = machine(1, { variant: "netbsd", hz: 1000 });
    const c = callout_init(host, CALLOUT_MPSAFE, "far");
    let at = -1;
    kthread(host, "t", 0, function* () {
      yield* callout_reset(
        c,
        70_000,
        function* () {
          at = nanotime();
        },
        null,
      );
    });
    sim.run(71_000 * 1_000_000);
    expect(at).toBeGreaterThanOrEqual(70_000 * 1_000_000);
    expect(at).toBeLessThan(70_001 * 1_000_000);
  });
});

describe("lateness summaries", () => {
  it("quantile takes the nearest rank and log2Histogram buckets by powers of two", () => {
    const v = [0.5, 1, 3, 1_000, 1_023, 1_024];
    expect(quantile(v, 0.5)).toBe(3);
    expect(quantile(v, 0.99)).toBe(1_024);
    expect(quantile([], 0.99)).toBeNull();
    expect(Object.fromEntries(log2Histogram(v))).toEqual({ 0: 1, 1: 1, 2: 1, 512: 2, 1024: 1 });
  });
});
