import {
  DUT_ADDR,
  type NetKernel,
  type NetStack,
  netProbes,
  SEQ_GT,
  SO_REUSEADDR,
  SOCK_STREAM,
  SOL_SOCKET,
  type SysctlPreset,
  sys_accept,
  sys_bind,
  sys_close,
  sys_connect,
  sys_listen,
  sys_recvfrom,
  sys_setsockopt,
  sys_socket,
  TCP_ISSINCR,
  TH_ACK,
  TH_SYN,
  tcp_new_iss,
  uio,
} from "@smpnet/netinet";
import {
  type KernelGen,
  NS_PER_MS,
  NS_PER_SEC,
  PRI_USER,
  roundNetCosts,
  roundNic,
  roundProfile,
  sleep,
} from "@smpnet/sim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernel } from "../src/index.js";

/*
 * Initial sequence numbers as each kernel chooses them (tcp_iss.ts): a
 * host's ISNs climb, so a new connection on a 4-tuple the other end holds
 * in TIME_WAIT carries a SYN above the old rcv_nxt and recycles it. With a
 * uniformly random ISN half those SYNs fall below and are answered with an
 * ACK: the connection waits out the 2MSL and these tests fail.
 */

const PRESETS: SysctlPreset[] = ["netbsd", "freebsd"];
const SERVER_PORT = 5001;
const CLIENT_PORT = 40_000;
const PACE = Symbol("iss-test");
const SEED = fc.integer({ min: 1, max: 1_000_000 });
/** Simulated ms between a 4-tuple's ISSes. */
const GAPS = fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 8 });

function testKernel(
  seed: number,
  defaults: SysctlPreset,
  sysctl?: Record<string, number>,
): NetKernel {
  return kernel({
    ...(sysctl === undefined ? {} : { sysctl }),
    seed,
    profile: roundProfile(2),
    nic: roundNic(),
    netCosts: roundNetCosts(),
    softint: { variant: "netbsd" },
    policy: "giant",
    ideal: true,
    defaults,
  });
}

/**
 * `gapsMs.length + 1` connections from the peer's port CLIENT_PORT to the
 * dut, each closed first by the dut (which holds TIME_WAIT), the next one
 * `gap` ms after the peer's close. Returns the peer's SYN sequence numbers
 * and the connections the dut accepted, within `limitS` simulated seconds.
 */
function reconnects(k: NetKernel, gapsMs: number[], limitS: number) {
  const isns: number[] = [];
  netProbes(k.sim).tcp_output.subscribe((_t, cpu, _id, seq, _ack, flags) => {
    if (cpu.host === k.peer.host && (flags & (TH_SYN | TH_ACK)) === TH_SYN) isns.push(seq);
  });
  let accepted = 0;
  k.dut.host.kthread_create({
    name: "server",
    pri: PRI_USER,
    user: true,
    *body() {
      const ls = yield* sys_socket(k.dut, SOCK_STREAM);
      yield* sys_bind(ls, 0, SERVER_PORT);
      yield* sys_listen(ls, 5);
      for (;;) {
        const so = yield* sys_accept(ls);
        if (typeof so === "number") return;
        accepted++;
        yield* sys_close(so);
      }
    },
  });
  k.peer.host.kthread_create({
    name: "client",
    pri: PRI_USER,
    user: true,
    *body(): KernelGen {
      const u = new uio();
      for (let i = 0; i <= gapsMs.length; i++) {
        const so = yield* sys_socket(k.peer, SOCK_STREAM);
        yield* sys_setsockopt(so, SOL_SOCKET, SO_REUSEADDR, 1);
        yield* sys_bind(so, 0, CLIENT_PORT);
        if ((yield* sys_connect(so, DUT_ADDR, SERVER_PORT)) !== 0) return;
        u.uio_resid = 1;
        yield* sys_recvfrom(so, u); // the dut's FIN
        yield* sys_close(so);
        // the last ACK reaches the dut before the next SYN leaves
        yield* sleep(PACE, NS_PER_MS + (gapsMs[i] ?? 0) * NS_PER_MS);
      }
    },
  });
  k.sim.run(limitS * NS_PER_SEC);
  return { isns, accepted };
}

describe("initial sequence numbers: each kernel's generator", () => {
  for (const preset of PRESETS) {
    // NetBSD recycles only for a SYN beyond the window (32768 bytes here): one step of
    // tcp_iss_seq (2^24) less the random bits may fall short, two never do, so its
    // reconnections are half a second apart (a slow timeout between them)
    const minGapMs = preset === "netbsd" ? 500 : 0;
    it(`${preset}: a new SYN on a 4-tuple the dut holds in TIME_WAIT is above the old one and recycles it`, () => {
      fc.assert(
        fc.property(
          SEED,
          fc.array(fc.integer({ min: minGapMs, max: 1_500 }), { minLength: 3, maxLength: 6 }),
          (seed, gapsMs) => {
            const k = testKernel(seed, preset);
            const r = reconnects(k, gapsMs, 5 + gapsMs.reduce((a, b) => a + b, 0) / 1_000);
            // every SYN went once (none retransmitted) and every one was accepted
            expect(r.accepted).toBe(gapsMs.length + 1);
            expect(r.isns).toHaveLength(gapsMs.length + 1);
            for (let i = 1; i < r.isns.length; i++) {
              expect(SEQ_GT(r.isns[i]!, r.isns[i - 1]!), `SYN ${i}`).toBe(true);
            }
          },
        ),
        { numRuns: 8 },
      );
    });
  }

  it("netbsd: each ISS is 24 random bits on tcp_iss_seq, which steps by TCP_ISSINCR per ISS and per 500 ms", () => {
    fc.assert(
      fc.property(SEED, GAPS, (seed, gapsMs) => {
        const issues = generatorRun(testKernel(seed, "netbsd"), gapsMs);
        for (const [iss, atNs, n] of issues) {
          // n ISSes before this one, and a slow timeout every 500 ms since boot
          const seq = Math.imul(n + Math.floor(atNs / (500 * NS_PER_MS)), TCP_ISSINCR) >>> 0;
          expect((iss - seq) >>> 0).toBeLessThan(TCP_ISSINCR);
        }
      }),
      { numRuns: 20 },
    );
  });

  it("netbsd with iss_hash: each ISS is the 4-tuple's hash plus tcp_iss_seq, stepped first", () => {
    fc.assert(
      fc.property(SEED, GAPS, (seed, gapsMs) => {
        const k = testKernel(seed, "netbsd", { "net.inet.tcp.iss_hash": 1 });
        const bases = generatorRun(k, gapsMs, k.dut).map(([iss, atNs, n]) => {
          const seq = n + 1 + Math.floor(atNs / (500 * NS_PER_MS));
          return (iss - Math.imul(seq, TCP_ISSINCR)) >>> 0;
        });
        // the same hash under every ISS of the 4-tuple
        expect(new Set(bases).size).toBe(1);
      }),
      { numRuns: 20 },
    );
  });

  it("freebsd: one 4-tuple's ISNs climb by 4096-8191 per connection, or by the 1 MB/s clock if more", () => {
    fc.assert(
      fc.property(SEED, GAPS, (seed, gapsMs) => {
        const k = testKernel(seed, "freebsd");
        const issues = generatorRun(k, gapsMs);
        for (let i = 1; i < issues.length; i++) {
          const [iss, atNs] = issues[i]!;
          const [prev, prevNs] = issues[i - 1]!;
          const d = (iss - prev) >>> 0;
          const ticks = Math.floor((atNs * k.peer.hz) / NS_PER_SEC);
          const prevTicks = Math.floor((prevNs * k.peer.hz) / NS_PER_SEC);
          const clock = (ticks - prevTicks) * Math.floor(1_048_576 / k.peer.hz);
          // the clock counts from the offset at the last tick change, at most i steps back
          expect(d).toBeGreaterThanOrEqual(Math.max(4_096, clock - 8_191 * i));
          expect(d).toBeLessThanOrEqual(Math.max(8_191, clock));
        }
      }),
      { numRuns: 20 },
    );
  });
});

/** tcp_new_iss for one bound 4-tuple of `stack`, `gapsMs` apart: [iss, time, ISSes before it]. */
function generatorRun(
  k: NetKernel,
  gapsMs: number[],
  stack: NetStack = k.peer,
): [number, number, number][] {
  const out: [number, number, number][] = [];
  stack.host.kthread_create({
    name: "iss",
    pri: PRI_USER,
    user: true,
    *body(): KernelGen {
      const so = yield* sys_socket(stack, SOCK_STREAM);
      yield* sys_bind(so, 0, CLIENT_PORT);
      const inp = so.so_pcb!;
      inp.inp_faddr = DUT_ADDR;
      inp.inp_fport = SERVER_PORT;
      for (let i = 0; i <= gapsMs.length; i++) {
        out.push([tcp_new_iss(inp.inp_ppcb!), k.sim.now, i]);
        yield* sleep(PACE, 1 + (gapsMs[i] ?? 0) * NS_PER_MS);
      }
    },
  });
  k.sim.run(30 * NS_PER_SEC);
  expect(out).toHaveLength(gapsMs.length + 1);
  return out;
}
