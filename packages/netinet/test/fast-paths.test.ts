import { pool_cache_get, pool_cache_init } from "@smpnet/core";
import { type Host, type KernelGen, nanotime } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  in_pcblookup,
  inpcb,
  inpcbtable,
  MbufPools,
  m_freem,
  m_getpkt,
  type mbuf,
  type NetStack,
  type socket,
} from "../src/index.js";
import { m_freem_list } from "../src/mbuf.js";
import { runKernel } from "./fixtures.js";

/** Each run in place and through the loop: the same result and the same time, to the bit. */
function bothWays<T>(body: (host: Host) => KernelGen<T>) {
  const run = (inPlace: boolean) =>
    runKernel(function* (host) {
      const result = yield* body(host);
      return { result, ns: nanotime() };
    }, inPlace).result;
  return { looped: run(false), inPlace: run(true) };
}

function shape(m: mbuf | null): number[] | null {
  if (m === null) return null;
  const out = [m.len];
  for (let x: mbuf | null = m; x !== null; x = x.m_next) out.push(x.m_len);
  return out;
}

describe("netinet's plain fast paths", () => {
  it("m_getpkt builds and fails chains, m_freem_list frees them, as the loop does, to the bit", () => {
    const { looped, inPlace } = bothWays(function* (host) {
      const out: unknown[] = [];
      // 10 mbufs: the 5,000- and 4,100-byte chains run out part way through
      const mp = new MbufPools(host, 10, 9, 10);
      const held: (mbuf | null)[] = [];
      for (const len of [100, 3_000, 9_000, 700, 5_000, 4_100, 60]) {
        const m = yield* m_getpkt(mp, len);
        held.push(m);
        out.push(shape(m), mp.mbufsOut, mp.clustersOut, mp.drops);
      }
      // the first two one by one, the rest as one m_nextpkt list
      yield* m_freem(mp, held[0]!);
      yield* m_freem(mp, held[1]!);
      const list = held.slice(2).filter((m) => m !== null);
      list.forEach((m, i) => {
        m.m_nextpkt = list[i + 1] ?? null;
      });
      yield* m_freem_list(mp, list[0]!);
      out.push(mp.mbufsOut, mp.clustersOut);
      return out;
    });
    // shape, mbufs out, clusters out, drops after each; what is out at the end
    expect(looped.result).toEqual([
      [100, 100],
      1,
      0,
      0,
      [3_000, 2_048, 952],
      3,
      2,
      0,
      [9_000, 2_048, 2_048, 2_048, 2_048, 808],
      8,
      7,
      0,
      [700, 700],
      9,
      8,
      0,
      null,
      9,
      8,
      1,
      null,
      9,
      8,
      2,
      [60, 60],
      10,
      8,
      2,
      0,
      0,
    ]);
    expect(inPlace).toEqual(looped);
  });

  it("in_pcblookup finds deep in a chain, falls back to the port, and misses as the loop does", () => {
    const { looped, inPlace } = bothWays(function* (host) {
      const pc = pool_cache_init(host, "inpcbpl", 256);
      const stack = { costs: { pcbLookupCycles: 40 } } as unknown as NetStack;
      const t = new inpcbtable(stack, "tcb", pc);
      const pcb = function* (faddr: number, fport: number, lport: number, connected: boolean) {
        const inp = new inpcb({} as socket, t, (yield* pool_cache_get(pc))!);
        inp.inp_faddr = faddr;
        inp.inp_fport = fport;
        inp.inp_lport = lport;
        inp.connected = connected;
        return inp;
      };
      // a worst case: every chain holds every pcb
      const conns = [];
      for (let i = 0; i < 6; i++) conns.push(yield* pcb(0x0a000002, 40_000 + i, 5201, true));
      const listeners = [yield* pcb(0, 0, 80, false), yield* pcb(0, 0, 5201, false)];
      for (const b of t.byConnect) b.push(...conns);
      for (const b of t.byPort) b.push(...conns, ...listeners);
      const found: number[] = [];
      for (const fport of [40_005, 40_000, 40_009, 40_003]) {
        const inp = yield* in_pcblookup(t, 0x0a000002, fport, 0x0a000001, 5201);
        found.push(inp === null ? -1 : [...conns, ...listeners].indexOf(inp));
      }
      found.push((yield* in_pcblookup(t, 0x0a000002, 1, 0x0a000001, 443)) === null ? -1 : 0);
      return found;
    });
    expect(looped.result).toEqual([5, 0, 7, 3, -1]);
    expect(inPlace).toEqual(looped);
  });
});
