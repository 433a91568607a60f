import { NS_PER_SEC } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { tcpRun } from "./tcpfixtures.js";

describe("the persist timer (RFC 1122 4.2.2.17)", () => {
  it("probes a zero window until the reader opens it, then the stream goes on", () => {
    // the reader sleeps 20 s: its 32 KiB buffer fills and the window closes
    const r = tcpRun({ writes: [100_000], readAfterMs: 20_000, limitMs: 30_000 });
    const sender = r.k.peer.tcpstat;
    expect(r.bytesRead).toBe(100_000);
    expect(r.eof).toBe(true);
    // every TCPTV_PERSMIN (5 s: the RTO on this link is far below it): at 5, 10 and 15 s; the
    // receive buffer is whole segments (rounded to the MSS), so the window closes to exactly
    // zero and each timeout sends a 1-byte probe
    expect(sender.tcps_persisttimeo).toBe(3);
    expect(sender.tcps_sndprobe).toBe(3);
    expect(r.k.dut.tcpstat.tcps_rcvwinprobe).toBeGreaterThanOrEqual(2);
    // no retransmit timeout: the persist timer, not the RTO, kept the connection alive
    expect(sender.tcps_rexmttimeo).toBe(0);
    // the window update after the first read restarts the transfer at once
    expect(r.lastReadNs).toBeLessThan(20.1 * NS_PER_SEC);
  });
});
