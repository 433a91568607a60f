import { describe, expect, it } from "vitest";
import { Rng } from "../src/index.js";

describe("Rng: the run's generator", () => {
  it("gives one sequence per seed", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    for (let i = 0; i < 1000; i++) expect(a.float()).toBe(b.float());
  });

  it("uses the whole seed, not its low 32 bits", () => {
    const low = new Rng(1);
    const high = new Rng(2 ** 32 + 1);
    const neg = new Rng(-1);
    const draws = (r: Rng) => Array.from({ length: 4 }, () => r.int(0, 2 ** 31));
    const l = draws(low);
    expect(draws(high)).not.toEqual(l);
    expect(draws(neg)).not.toEqual(l);
  });

  it("starts neighbouring seeds apart: first draws of seeds 1..2000 fill ten bins evenly", () => {
    const bins = new Array<number>(10).fill(0);
    for (let seed = 1; seed <= 2000; seed++) bins[Math.floor(new Rng(seed).float() * 10)]!++;
    // 200 expected per bin; +-60 is beyond 4 standard deviations (sqrt(180) ~ 13.4)
    for (const n of bins) expect(n).toBeGreaterThan(140);
    for (const n of bins) expect(n).toBeLessThan(260);
  });

  it("draws integers in [lo, hi] and floats in [0, 1)", () => {
    const r = new Rng(7);
    for (let i = 0; i < 10_000; i++) {
      const n = r.int(-3, 3);
      expect(n >= -3 && n <= 3 && Number.isInteger(n)).toBe(true);
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
    }
  });
});
