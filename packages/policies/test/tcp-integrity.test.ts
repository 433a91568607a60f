import { SO_RCVBUF, SOL_SOCKET } from "@smpnet/netinet";
import { SOFTINT_VARIANTS } from "@smpnet/softint";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkStream, tcpRun } from "./tcpfixtures.js";

describe("a TCP stream arrives whole, once and in order", () => {
  it("over a wire that loses, duplicates, reorders and corrupts frames, on 1-4 CPUs, every softint variant, RFC 7323 on or off", () => {
    // the recovery the runs needed, summed: the property must have exercised it
    const seen = { rexmit: 0, timeouts: 0, outOfOrder: 0, dupSegs: 0, scaled: 0, stamped: 0 };
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          writes: fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 12 }),
          readSize: fc.integer({ min: 1, max: 70_000 }),
          cpus: fc.integer({ min: 1, max: 4 }),
          variant: fc.constantFrom(...SOFTINT_VARIANTS),
          lossRate: fc.double({ min: 0, max: 0.05, noNaN: true }),
          duplicateRate: fc.double({ min: 0, max: 0.05, noNaN: true }),
          reorderRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
          corruptRate: fc.double({ min: 0, max: 0.02, noNaN: true }),
          timestamps: fc.boolean(),
          windowScale: fc.boolean(),
          // the reader's buffer: 0 keeps tcp_recvspace; above 65535 it takes a window shift
          rcvbuf: fc.constantFrom(0, 100_000, 200_000),
        }),
        (p) => {
          const total = p.writes.reduce((a, b) => a + b, 0);
          const r = tcpRun({
            seed: p.seed,
            cpus: p.cpus,
            variant: p.variant,
            writes: p.writes,
            readSize: p.readSize,
            wire: {
              lossRate: p.lossRate,
              duplicateRate: p.duplicateRate,
              reorderRate: p.reorderRate,
              corruptRate: p.corruptRate,
            },
            // losses cost retransmit timeouts of 1 s and more: progress, not speed
            limitMs: 120_000,
            tcp: { timestamps: p.timestamps, windowScale: p.windowScale },
            serverOpts: p.rcvbuf > 0 ? [[SOL_SOCKET, SO_RCVBUF, p.rcvbuf]] : [],
          });
          expect(r.connectError).toBe(0);
          expect(r.writeErrors).toEqual([]);
          expect(checkStream(r.ranges, r.iss, total)).toBeNull();
          // the FIN came after the last byte
          expect(r.eof).toBe(true);
          const sender = r.k.peer.tcpstat;
          const receiver = r.k.dut.tcpstat;
          seen.rexmit += sender.tcps_sndrexmitpack;
          seen.timeouts += sender.tcps_rexmttimeo;
          seen.outOfOrder += receiver.tcps_rcvoopack;
          seen.dupSegs += receiver.tcps_rcvduppack;
          if (r.clientTp!.snd_scale > 0) seen.scaled++;
          if (r.clientTp!.t_segsz < 1_460) seen.stamped++;
        },
      ),
      { numRuns: 40, seed: 16 },
    );
    expect(seen.rexmit).toBeGreaterThan(0);
    expect(seen.timeouts).toBeGreaterThan(0);
    expect(seen.outOfOrder).toBeGreaterThan(0);
    expect(seen.dupSegs).toBeGreaterThan(0);
    expect(seen.scaled).toBeGreaterThan(0);
    expect(seen.stamped).toBeGreaterThan(0);
  });

  it("across 2^32: a stream whose sequence numbers wrap arrives whole over a lossy, reordering wire", () => {
    const writes = Array<number>(20).fill(10_000);
    const r = tcpRun({
      seed: 7,
      writes,
      wire: { lossRate: 0.02, reorderRate: 0.05, duplicateRate: 0.02 },
      limitMs: 120_000,
      before: (k) => {
        // the peer's initial sequence number 50,000 below 2^32 (the first ISS drawn)
        const rng = k.sim.rng;
        const draw = rng.int.bind(rng);
        let first = true;
        rng.int = (lo, hi) => {
          if (first && hi === 0xffff_ffff) {
            first = false;
            return 0xffff_ffff - 50_000;
          }
          return draw(lo, hi);
        };
      },
    });
    expect(r.iss).toBe(0xffff_ffff - 50_000);
    expect(checkStream(r.ranges, r.iss, 200_000)).toBeNull();
    expect(r.eof).toBe(true);
    expect(r.k.peer.tcpstat.tcps_sndrexmitpack).toBeGreaterThan(0);
  });

  it("the check itself rejects a gap, an overlap and a short stream", () => {
    expect(checkStream([11, 5, 16, 5], 10, 10)).toBeNull();
    expect(checkStream([11, 5, 17, 4], 10, 9)).toMatch(/starts at 17/);
    expect(checkStream([11, 5, 15, 5], 10, 10)).toMatch(/starts at 15/);
    expect(checkStream([11, 5], 10, 10)).toMatch(/read 5 bytes of 10/);
    // across 2^32
    expect(checkStream([0xffff_fffe, 4, 2, 1], 0xffff_fffd, 5)).toBeNull();
  });
});
