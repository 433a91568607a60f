import { epoch_alloc, epoch_cb_count, Reclaimable } from "@smpnet/core";
import { PRI_KTHREAD, sleep, work } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import type { SoftintConfig } from "../src/index.js";
import { kthread, machine } from "./fixtures.js";

const TICK = 10_000_000; // hz 100

/**
 * epoch(9) on 2 CPUs for 300 ms: a reader on each CPU enters sections of
 * 1 us, `gapNs` apart; a writer on CPU 0 retires an object every 100 us and
 * then calls poll(), as a writer-poll user does. Returns the freed objects.
 */
function graces(epochDriver: SoftintConfig["epochDriver"], gapNs: number) {
  const config: SoftintConfig = { variant: "netbsd" };
  if (epochDriver !== undefined) config.epochDriver = epochDriver;
  const { sim, host } = machine(2, config);
  const ep = epoch_alloc(host, "net_epoch");
  for (const cpu of [0, 1]) {
    kthread(host, `reader${cpu}`, cpu, function* () {
      for (;;) {
        yield* ep.enter();
        yield* work(1_000);
        yield* ep.exit();
        if (gapNs > 0) yield* work(gapNs);
      }
    });
  }
  const objs: Reclaimable[] = [];
  host.kthread_create({
    name: "writer",
    pri: PRI_KTHREAD + 1,
    cpu: 0,
    bound: true,
    *body() {
      for (let i = 0; i < 3_000; i++) {
        yield* sleep("pace", 100_000);
        const inp = new Reclaimable(`inp${i}`, 256);
        objs.push(inp);
        yield* ep.retire(inp);
        yield* ep.poll();
      }
    },
  });
  sim.run(300_000_000);
  const freed = objs.filter((o) => o.freed);
  return { stats: ep.stats, objs, freed, cbs: epoch_cb_count(host.cpus[0]!) };
}

/** How far after the last tick (t0 = 0) a time is, ns. */
const sinceTick = (t: number) => t % TICK;

describe("epoch's driver", () => {
  it("hardclock (the default): callbacks run only from the clock's call task, within two ticks when readers come and go", () => {
    const { stats, objs, freed, cbs } = graces(undefined, 4_000);
    expect(freed.length).toBeGreaterThan(0.9 * objs.length);
    // every free happens in the call task, just after a tick
    for (const o of freed) expect(sinceTick(o.freedAtNs)).toBeLessThan(100_000);
    // a poll that finds no record active frees everything (ck_epoch_poll_deferred), so
    // many go at the next tick; the rest need the epoch to advance twice
    expect(stats.graceQuantileNs(0.5)).toBeGreaterThan(0.3 * TICK);
    expect(stats.graceQuantileNs(1)).toBeLessThan(2 * TICK + 100_000);
    expect(cbs).toBe(objs.length - freed.length); // epoch_cb_count: what is left on CPU 0
  });

  it("hardclock: with a reader always inside a section, a callback waits for the second tick after it (two epoch advances)", () => {
    const { stats, freed, objs } = graces(undefined, 0);
    expect(freed.length).toBeGreaterThan(0.85 * objs.length);
    for (const o of freed) expect(sinceTick(o.freedAtNs)).toBeLessThan(100_000);
    expect(stats.graceQuantileNs(0)).toBeGreaterThan(TICK);
    expect(stats.graceQuantileNs(1)).toBeLessThan(2 * TICK + 100_000);
  });

  it("writer-poll: the writer's polls free within a poll or two", () => {
    const { stats, objs, freed } = graces("writer-poll", 4_000);
    expect(freed.length).toBeGreaterThan(0.99 * objs.length - 2);
    expect(stats.graceQuantileNs(0.99)).toBeLessThan(300_000);
  });

  it("rejects an unknown driver, naming the choices", () => {
    expect(() => machine(1, { variant: "netbsd", epochDriver: "ticks" as never })).toThrow(
      'softint.epochDriver: unknown driver "ticks"; choose "hardclock" (FreeBSD\'s call task) or "writer-poll"',
    );
  });
});
