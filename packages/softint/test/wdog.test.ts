import { IPL_HIGH, PRI_KTHREAD, splraise, splx, work } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  CALLOUT_MPSAFE,
  callout_init,
  callout_reset,
  softintProbes,
  sysmon_wdog_register,
  sysmon_wdog_setmode,
  WDOG_MODE_DISARMED,
  WDOG_MODE_KTICKLE,
} from "../src/index.js";
import { kthread, machine } from "./fixtures.js";

const SEC = 1_000_000_000;

describe("sysmon_wdog in kernel-tickle mode", () => {
  it("is tickled every half period by its callout and never misses on an idle CPU", () => {
    const { sim, host } = machine(1);
    const smw = sysmon_wdog_register(host, { name: "wd0" });
    const tickles: number[] = [];
    softintProbes(sim).wdog_tickle.subscribe((t) => tickles.push(t));
    kthread(host, "wdogctl", 0, () => sysmon_wdog_setmode(smw, WDOG_MODE_KTICKLE, 2));
    sim.run(10 * SEC);
    expect(smw.missesNs).toEqual([]);
    // at setmode, then every 100 ticks (1 s, half of 2 s): 1 + 9 within 10 s
    expect(smw.tickles).toBe(10);
    for (let i = 1; i < tickles.length; i++) {
      expect(tickles[i]! - tickles[i - 1]!).toBeGreaterThan(0.99 * SEC);
      expect(tickles[i]! - tickles[i - 1]!).toBeLessThan(1.01 * SEC);
    }
  });

  it("reports a miss when SOFTINT_CLOCK cannot run for longer than the period", () => {
    const { sim, host } = machine(1);
    const smw = sysmon_wdog_register(host, { name: "wd0" });
    const expired: number[] = [];
    softintProbes(sim).wdog_expire.subscribe((t) => expired.push(t));
    kthread(host, "wdogctl", 0, () => sysmon_wdog_setmode(smw, WDOG_MODE_KTICKLE, 1));
    host.kthread_create({
      name: "hog",
      pri: PRI_KTHREAD,
      cpu: 0,
      bound: true,
      *body() {
        yield* work(0.6 * SEC);
        const s = yield* splraise(IPL_HIGH); // nothing soft runs for 3 s
        yield* work(3 * SEC);
        yield* splx(s);
      },
    });
    sim.run(6 * SEC);
    // last tickle at 0.5 s; out at 1.5 s, then every second until 3.6 s
    expect(smw.missesNs.length).toBe(3);
    expect(expired).toEqual(smw.missesNs);
    expect(smw.missesNs[0]!).toBeGreaterThan(1.5 * SEC);
    expect(smw.missesNs[0]!).toBeLessThan(1.51 * SEC);
  });

  it("stops counting when disarmed", () => {
    const { sim, host } = machine(1);
    const smw = sysmon_wdog_register(host, { name: "wd0" });
    kthread(host, "wdogctl", 0, function* () {
      yield* sysmon_wdog_setmode(smw, WDOG_MODE_KTICKLE, 1);
      yield* work(SEC / 10);
      yield* sysmon_wdog_setmode(smw, WDOG_MODE_DISARMED, 1);
    });
    sim.run(5 * SEC);
    expect(smw.missesNs).toEqual([]);
    expect(smw.tickles).toBe(1);
  });

  it("rejects bad modes and periods, naming them", () => {
    const { sim, host } = machine(1);
    const smw = sysmon_wdog_register(host, { name: "wd1" });
    const errors: string[] = [];
    const c = callout_init(host, CALLOUT_MPSAFE, "c");
    kthread(host, "t", 0, function* () {
      for (const g of [
        () => sysmon_wdog_setmode(smw, 2, 1),
        () => sysmon_wdog_setmode(smw, WDOG_MODE_KTICKLE, 0),
        () => callout_reset(c, -1, function* () {}, null),
      ]) {
        try {
          yield* g();
        } catch (e) {
          errors.push((e as Error).message.split(" [at")[0]!);
        }
      }
    });
    sim.run(SEC);
    expect(errors).toEqual([
      "sysmon_wdog_setmode wd1: mode 2 is not modelled; use WDOG_MODE_KTICKLE or WDOG_MODE_DISARMED",
      "sysmon_wdog_setmode wd1: period must be a positive number of seconds, got 0",
      "callout_reset c: ticks must be an integer in 0..2^31-1, got -1",
    ]);
  });
});
