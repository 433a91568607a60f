import { roundProfile } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { type StarvationResult, softclockStarvation } from "../src/index.js";
import { MIPS_IPLS } from "./fixtures.js";

/*
 * The claims of the README's starvation table, on a 2-second run of the
 * round 1 GHz test machine with evbmips's IPLs (tests may not import the
 * hardware packages; `pnpm bench` runs the ER-4 profile for 10 seconds).
 */
const profile = { ...roundProfile(1), name: "round-mips", iplLevels: MIPS_IPLS };
const TICK = 10_000_000;
const runs = new Map<string, StarvationResult>();
const run = (variant: "netbsd" | "budget" | "threaded") => {
  let r = runs.get(variant);
  if (r === undefined) {
    r = softclockStarvation({ profile, variant, seconds: 2, seed: 7 });
    runs.set(variant, r);
  }
  return r;
};

describe("softclock starvation (2 simulated seconds)", () => {
  it("offers more network work than the CPU can do", () => {
    const r = run("netbsd");
    expect(r.dropped).toBeGreaterThan(0.1 * r.offered);
    expect(r.timeSplit.softnet!).toBeGreaterThan(0.85 * 2e9);
  });

  it("under netbsd, callouts run late or not at all and the watchdog misses", () => {
    const { line, tcpTimers } = run("netbsd");
    // the retransmit and delayed-ACK timers and the watchdog's tickle came due, and stay overdue
    expect(line.calloutsDue).toBe(3);
    expect(tcpTimers).toEqual({ rexmt: 0, delack: 0 });
    expect(line.calloutsFired).toBeLessThan(line.calloutsDue);
    expect(line.calloutLatenessP99Ns).toBeGreaterThan(1e9);
    expect(line.watchdogMisses).toBeGreaterThanOrEqual(1);
  });

  for (const variant of ["budget", "threaded"] as const) {
    it(`under ${variant}, callouts run within a few ticks, the watchdog never misses, and little throughput is lost`, () => {
      const { line, tcpTimers } = run(variant);
      const base = run("netbsd").line;
      // 2 s: the TCP timers every 200 ms (from the first batch), a tickle every 500 ms
      expect(tcpTimers.rexmt).toBeGreaterThanOrEqual(9);
      expect(tcpTimers.delack).toBeGreaterThanOrEqual(9);
      expect(line.calloutsDue).toBeGreaterThanOrEqual(tcpTimers.rexmt + tcpTimers.delack + 3);
      expect(line.calloutsFired).toBe(line.calloutsDue);
      expect(line.calloutLatenessP99Ns).toBeLessThan(3 * TICK);
      expect(line.watchdogMisses).toBe(0);
      expect(line.netItemsPerSimSecond).toBeGreaterThan(0.95 * base.netItemsPerSimSecond);
      expect(line.netItemsPerSimSecond).toBeLessThanOrEqual(base.netItemsPerSimSecond);
    });
  }

  it("gives the same result to the bit for the same seed, another for another seed", () => {
    const a = softclockStarvation({ profile, variant: "budget", seconds: 0.3, seed: 3 });
    const b = softclockStarvation({ profile, variant: "budget", seconds: 0.3, seed: 3 });
    const c = softclockStarvation({ profile, variant: "budget", seconds: 0.3, seed: 4 });
    expect(b).toEqual(a);
    expect(c.offered).not.toBe(a.offered);
  });
});
