import { describe, expect, it } from "vitest";
import {
  M_EXT,
  MbufPools,
  MCLBYTES,
  MHLEN,
  m_adj,
  m_freem,
  m_getpkt,
  m_pullup,
} from "../src/index.js";
import { runKernel } from "./fixtures.js";

function chainLens(m: { m_len: number; m_next: unknown } | null): number[] {
  const out: number[] = [];
  for (let x = m as { m_len: number; m_next: unknown } | null; x; x = x.m_next as typeof x) {
    out.push(x.m_len);
  }
  return out;
}

describe("mbufs", () => {
  it("m_getpkt builds a header mbuf for small packets and clusters for large ones; m_freem returns all", () => {
    const { result } = runKernel(function* (host) {
      const mp = new MbufPools(host, 100, 100, 10);
      const small = (yield* m_getpkt(mp, 100))!;
      const big = (yield* m_getpkt(mp, 3_000))!;
      const shapes = [chainLens(small), chainLens(big), big.m_flags & M_EXT, mp.clustersOut];
      yield* m_freem(mp, small);
      yield* m_freem(mp, big);
      return [...shapes, mp.mbufsOut, mp.clustersOut];
    });
    expect(result).toEqual([[100], [MCLBYTES, 3_000 - MCLBYTES], M_EXT, 2, 0, 0]);
  });

  it("fails an allocation past the limit, counts it and holds nothing", () => {
    const { result } = runKernel(function* (host) {
      const mp = new MbufPools(host, 100, 1, 10);
      const a = yield* m_getpkt(mp, 1_000);
      const b = yield* m_getpkt(mp, 1_000);
      const out = [a !== null, b === null, mp.drops, mp.clustersOut, mp.mbufsOut];
      yield* m_freem(mp, a);
      return out;
    });
    expect(result).toEqual([true, true, 1, 1, 1]);
  });

  it("m_adj trims the head or the tail; m_pullup makes a header contiguous", () => {
    const { result } = runKernel(function* (host) {
      const mp = new MbufPools(host, 100, 100, 10);
      const m = (yield* m_getpkt(mp, 3_000))!;
      m_adj(m, 100);
      const afterHead = [m.len, ...chainLens(m)];
      m_adj(m, -1_000);
      const afterTail = [m.len, ...chainLens(m)];
      const short = (yield* m_getpkt(mp, 10))!;
      const pulled = [yield* m_pullup(short, 20, 2), yield* m_pullup(m, 28, 2)];
      return { afterHead, afterTail, pulled };
    });
    expect(result.afterHead).toEqual([2_900, MCLBYTES - 100, 3_000 - MCLBYTES]);
    expect(result.afterTail).toEqual([1_900, 1_900, 0]);
    expect(result.pulled).toEqual([false, true]);
    expect(MHLEN).toBeLessThan(MCLBYTES);
  });
});
