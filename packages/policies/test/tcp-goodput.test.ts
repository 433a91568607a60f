import { describe, expect, it } from "vitest";
import { tcpRun } from "./tcpfixtures.js";

/** Goodput in Mbit/s of 16 MB in 64 KiB writes, the reader keeping up, from the first read to the last. */
function goodput(timestamps: boolean): number {
  const writes = Array<number>(256).fill(65_536);
  const total = 256 * 65_536;
  const r = tcpRun({ writes, limitMs: 1_000, tcp: { timestamps } });
  expect(r.bytesRead).toBe(total);
  return ((total - r.ranges[1]!) * 8 * 1e3) / (r.lastReadNs - r.firstReadNs);
}

describe("TCP bulk transfer on a clean 1 GbE wire", () => {
  it("with timestamps (the default), 1448 of every 1538 bytes of line rate: 941.5 Mbit/s", () => {
    const mbps = goodput(true);
    expect(mbps).toBeGreaterThan(0.99 * 941.5);
    expect(mbps).toBeLessThan(941.6);
  });

  it("without timestamps, 1460 of every 1538 bytes: 949.3 Mbit/s", () => {
    const mbps = goodput(false);
    expect(mbps).toBeGreaterThan(948);
    expect(mbps).toBeLessThan(949.4);
  });
});
