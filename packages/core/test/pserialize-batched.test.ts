import { PRI_KERNEL, work } from "@smpnet/sim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pserialize_create, pserialize_perform_batched } from "../src/index.js";
import { machine } from "./fixtures.js";

/** Callers on every CPU, each calling pserialize_perform_batched `rounds` times at random moments. */
function run(seed: number, cpus: number, rounds: number) {
  const { sim, host } = machine(cpus, { kernelPreemption: true, quantumNs: 20_000 }, seed);
  const psz = pserialize_create(host);
  const calls: { arrivedNs: number; returnedNs: number }[] = [];
  for (let c = 0; c < cpus; c++) {
    host.kthread_create({
      name: `w${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        for (let i = 0; i < rounds; i++) {
          yield* work(1 + sim.rng.int(0, 20_000));
          const arrivedNs = sim.now;
          yield* pserialize_perform_batched(psz);
          calls.push({ arrivedNs, returnedNs: sim.now });
        }
      },
    });
  }
  sim.run(1e9);
  return { calls, spans: psz.xcallSpans, psz };
}

describe("pserialize-batched", () => {
  it("returns only after a cross-call that started after the caller arrived has completed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 2, max: 16 }),
        fc.integer({ min: 1, max: 6 }),
        (seed, cpus, rounds) => {
          const { calls, spans } = run(seed, cpus, rounds);
          expect(calls).toHaveLength(cpus * rounds);
          for (const c of calls) {
            const covering = spans.some((s) => s.startNs >= c.arrivedNs && s.endNs <= c.returnedNs);
            expect(covering, JSON.stringify(c)).toBe(true);
          }
          // one at a time, in order
          for (let i = 1; i < spans.length; i++) {
            expect(spans[i]!.startNs).toBeGreaterThanOrEqual(spans[i - 1]!.endNs);
          }
        },
      ),
      { numRuns: Number(process.env.RUNS ?? 30), seed: Number(process.env.SEED ?? 20261129) },
    );
  });

  it("shares cross-calls among concurrent callers, where v1.23 pays one each", () => {
    const { calls, spans, psz } = run(7, 8, 10);
    expect(calls).toHaveLength(80);
    expect(spans.length).toBeLessThan(60);
    expect(psz.stats.xcalls).toBe(spans.length);
    expect(psz.stats.shared).toBe(80 - spans.length);
  });
});
