import { describe, expect, it } from "vitest";
import { udpRun } from "./fixtures.js";

describe("the wire's framing sets UDP's goodput", () => {
  it("a sender at line rate delivers 1472 of every 1538 bytes: 957.1 Mbit/s on 1 GbE", () => {
    const n = 3_000;
    // one full frame every 12.304 us, as the wire carries them
    const r = udpRun({ sizes: Array(n).fill(1_472), gapNs: 12_304, drainMs: 5 });
    expect(r.readIds.length).toBe(n);
    expect(r.drops).toEqual([]);
    // the receiver's copy-out times of the first and last datagram
    const span = r.lastReadNs - r.firstReadNs;
    const mbps = ((n - 1) * 1_472 * 8 * 1e3) / span; // bits per ns is Gbit/s
    expect(mbps).toBeGreaterThan(955);
    expect(mbps).toBeLessThan(959.5);
  });
});
