import { describe, expect, it } from "vitest";
import { tcpRun } from "./tcpfixtures.js";

describe("TCP bulk transfer on a clean 1 GbE wire", () => {
  it("approaches 1460 of every 1538 bytes of line rate: 949.3 Mbit/s", () => {
    // 16 MB in 64 KiB writes; the reader keeps up
    const writes = Array<number>(256).fill(65_536);
    const total = 256 * 65_536;
    const r = tcpRun({ writes, limitMs: 1_000 });
    expect(r.bytesRead).toBe(total);
    const mbps = ((total - r.ranges[1]!) * 8 * 1e3) / (r.lastReadNs - r.firstReadNs);
    expect(mbps).toBeGreaterThan(948);
    expect(mbps).toBeLessThan(949.4);
  });
});
