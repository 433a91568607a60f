/*
 * Socket-buffer autosizing over a path with delay: one stream over 1 GbE
 * with 10 ms each way (a 20 ms RTT), ideal CPUs, the reader on the system
 * under test. With its receive buffer fixed, TCP can carry at most one
 * buffer per round trip; each kernel's autosizing lifts that cap at its
 * own pace (netinet's tcp_autosize.ts).
 */

import { SO_SNDBUF, SOL_SOCKET } from "@smpnet/netinet";
import { NS_PER_MS } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { type TcpRunOptions, tcpRun } from "./tcpfixtures.js";

const RTT_S = 0.02;

/** Mbit/s from the first read to the last, and the buffers' sizes at the end. */
function stream(o: Pick<TcpRunOptions, "defaults" | "sysctl" | "clientOpts">, seconds: number) {
  const r = tcpRun({
    ...o,
    writes: Array<number>(2_000).fill(65_536),
    limitMs: seconds * 1_000,
    ideal: true,
    wire: { delayNs: 10 * NS_PER_MS },
  });
  return {
    mbps: (r.bytesRead * 8 * 1e3) / (r.lastReadNs - r.firstReadNs),
    rcv: r.server!.so_rcv.sb_hiwat,
    snd: r.client!.so_snd.sb_hiwat,
  };
}

/** One buffer per round trip, in Mbit/s. */
const cap = (bytes: number) => (bytes * 8) / RTT_S / 1e6;

/** A stream whose receive buffer stayed at `bytes` runs just under that buffer's cap. */
function expectAtCap(r: { mbps: number; rcv: number }, bytes: number): void {
  expect(r.rcv).toBe(bytes);
  expect(r.mbps).toBeGreaterThan(0.95 * cap(bytes));
  expect(r.mbps).toBeLessThanOrEqual(cap(bytes));
}

describe("autosizing over a 20 ms round trip", () => {
  it("freebsd: the fixed 64 KB buffer caps a stream at 26.6 Mbit/s; autosizing passes ten times that", () => {
    // recvspace 65,536 in 46 segments of 1,448: 66,608 bytes
    const fixed = stream({ defaults: "freebsd", sysctl: { "net.inet.tcp.recvbuf_auto": 0 } }, 2);
    expectAtCap(fixed, 66_608);
    const auto = stream({ defaults: "freebsd" }, 2);
    expect(auto.mbps).toBeGreaterThan(10 * cap(66_608));
    // by halves from 66,608 until sbreserve refuses the step to 2 MiB (past maxsockbuf's share)
    expect(auto.rcv).toBe(1_707_088);
  });

  it("netbsd: one step of 16 KB per 500 ms tick of tcp_now, twice the fixed buffer's goodput in 3 s", () => {
    const fixed = stream({ defaults: "netbsd", sysctl: { "net.inet.tcp.recvbuf_auto": 0 } }, 3);
    expectAtCap(fixed, 33_304);
    const auto = stream({ defaults: "netbsd" }, 3);
    expect(auto.mbps).toBeGreaterThan(2 * fixed.mbps);
    // a step per tick echoed, at most 6 in 3 s; per round trip it would be at its end (229,912) long before
    const steps = (auto.rcv - 33_304) / 16_384;
    expect(Number.isInteger(steps) && steps >= 4 && steps <= 6).toBe(true);
  });

  it("the sender's so_snd grows by sendbuf_inc, but not after SO_SNDBUF", () => {
    const grown = stream({ defaults: "netbsd", sysctl: { "net.inet.tcp.recvbuf_auto": 0 } }, 1);
    // sendspace 32,768 rounded to 23 segments of 1,448, then steps of 8,192
    expect(grown.snd).toBeGreaterThan(33_304);
    expect((grown.snd - 33_304) % 8_192).toBe(0);
    const set = stream({ defaults: "netbsd", clientOpts: [[SOL_SOCKET, SO_SNDBUF, 32_768]] }, 1);
    // SO_SNDBUF's size, rounded up to whole segments once the MSS is known (23 of 1,448)
    expect(set.snd).toBe(33_304);
  });
});
