import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BinnedSeries, ChangeSeries } from "../src/series.js";

/** Increasing times with amounts, as a run's reads arrive. */
const arrivals = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: 1, max: 9_000 })), {
    maxLength: 400,
  })
  .map((steps) => {
    let t = 0;
    return steps.map(([dt, n]) => {
      t += dt;
      return [t, n] as const;
    });
  });

describe("the throughput series", () => {
  it("keeps at most max bins, every byte, each in the bin of its time", () => {
    fc.assert(
      fc.property(arrivals, fc.integer({ min: 2, max: 64 }), (reads, max) => {
        const s = new BinnedSeries(1_000_000, max);
        for (const [t, n] of reads) s.add(t, n);
        expect(s.bytes.length).toBeLessThanOrEqual(max);
        const expected: number[] = [];
        for (const [t, n] of reads) {
          const bin = Math.floor(t / s.binNs);
          while (expected.length <= bin) expected.push(0);
          expected[bin]! += n;
        }
        expect(s.bytes).toEqual(expected);
        expect(Math.log2(s.binNs / 1_000_000) % 1).toBe(0);
      }),
    );
  });

  it("keeps the bin it was given while the run fits", () => {
    const s = new BinnedSeries(1_000, 10);
    for (let t = 0; t < 10_000; t += 500) s.add(t, 1);
    expect(s.binNs).toBe(1_000);
    expect(s.bytes).toEqual(Array(10).fill(2));
    s.add(10_000, 1);
    expect(s.binNs).toBe(2_000);
    expect(s.bytes).toEqual([4, 4, 4, 4, 4, 1]);
  });
});

describe("a counter series", () => {
  it("keeps every change while it has room, then at most max points, in time order, ending at the last value", () => {
    fc.assert(
      fc.property(
        arrivals,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 400, maxLength: 400 }),
        fc.integer({ min: 2, max: 64 }),
        (times, values, max) => {
          const s = new ChangeSeries(max);
          const changes: [number, number][] = [];
          times.forEach(([t], i) => {
            const v = values[i]!;
            if (changes.length === 0 || changes[changes.length - 1]![1] !== v) changes.push([t, v]);
            s.add(t, v);
          });
          if (changes.length <= max) expect(s.points).toEqual(changes);
          expect(s.points.length).toBeLessThanOrEqual(max);
          for (let i = 1; i < s.points.length; i++)
            expect(s.points[i]![0]).toBeGreaterThanOrEqual(s.points[i - 1]![0]);
          if (changes.length > 0) expect(s.points.at(-1)![1]).toBe(changes.at(-1)![1]);
        },
      ),
    );
  });
});
