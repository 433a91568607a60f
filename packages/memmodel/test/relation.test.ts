import { describe, expect, it } from "vitest";
import { EventSet, Relation } from "../src/relation.js";

const rel = (n: number, pairs: [number, number][], fixed = false) => {
  const r = Relation.empty(n, fixed);
  for (const [a, b] of pairs) r.add(a, b);
  return r;
};

describe("relations as cat computes them", () => {
  // 40 events: rows of two words, so the word boundary is crossed.
  const n = 40;
  const r = rel(n, [
    [0, 1],
    [1, 33],
    [33, 2],
  ]);

  it("composes with ; union | intersection & difference \\ and inverse", () => {
    expect(r.seq(r).pairs()).toEqual([
      [0, 33],
      [1, 2],
    ]);
    expect(r.union(rel(n, [[5, 6]])).pairs()).toHaveLength(4);
    expect(
      r
        .inter(
          rel(n, [
            [1, 33],
            [2, 3],
          ]),
        )
        .pairs(),
    ).toEqual([[1, 33]]);
    expect(r.minus(rel(n, [[1, 33]])).pairs()).toEqual([
      [0, 1],
      [33, 2],
    ]);
    expect(r.inverse().pairs()).toEqual([
      [1, 0],
      [2, 33],
      [33, 1],
    ]);
  });

  it("builds S * T from sets", () => {
    const s = EventSet.of(n, [0, 35]);
    const t = EventSet.of(n, [1, 39]);
    expect(s.cross(t).pairs()).toEqual([
      [0, 1],
      [0, 39],
      [35, 1],
      [35, 39],
    ]);
  });

  it("finds a cycle, and none once an edge of it is gone", () => {
    const cyclic = r.union(rel(n, [[2, 0]]));
    expect(cyclic.acyclic()).toBe(false);
    expect(cyclic.cycle()).toEqual([0, 1, 33, 2, 0]);
    expect(r.acyclic()).toBe(true);
    expect(r.cycle()).toBeUndefined();
    expect(rel(n, [[7, 7]]).acyclic()).toBe(false);
  });

  it("remembers results on fixed operands only", () => {
    const a = rel(n, [[0, 1]], true);
    const b = rel(n, [[1, 2]], true);
    expect(a.seq(b)).toBe(a.seq(b));
    expect(a.seq(b).fixed).toBe(true);
    const dynamic = rel(n, [[1, 2]]);
    expect(a.seq(dynamic)).not.toBe(a.seq(dynamic));
    expect(a.seq(dynamic).fixed).toBe(false);
  });
});
