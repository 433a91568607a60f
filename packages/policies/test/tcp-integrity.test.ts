import {
  IPPROTO_TCP,
  type NetKernel,
  netProbes,
  SO_RCVBUF,
  SO_SNDBUF,
  SOL_SOCKET,
  type sockoptval,
  TCP_CONGESTION,
  TCP_ISS_RANDOM_MASK,
  type TcpFault,
} from "@smpnet/netinet";
import { SOFTINT_VARIANTS } from "@smpnet/softint";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkStream, type TcpRun, tcpRun } from "./tcpfixtures.js";

/** Runs of the property: SMPNET_TCP_RUNS raises it (thousands for a soak; the suite keeps ~20 s). */
const RUNS = Number(process.env.SMPNET_TCP_RUNS ?? 80);

const params = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  writes: fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 10 }),
  // the reader writes back at the same time on half the runs
  replyWrites: fc.option(fc.array(fc.integer({ min: 1, max: 30_000 }), { maxLength: 6 }), {
    nil: undefined,
  }),
  readSize: fc.integer({ min: 1, max: 70_000 }),
  // a reader 6 s late lets the window close for longer than TCPTV_PERSMIN: persist probes
  readAfterMs: fc.constantFrom(0, 0, 6_000),
  cpus: fc.integer({ min: 1, max: 4 }),
  variant: fc.constantFrom(...SOFTINT_VARIANTS),
  lossRate: fc.double({ min: 0, max: 0.05, noNaN: true }),
  duplicateRate: fc.double({ min: 0, max: 0.05, noNaN: true }),
  reorderRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
  corruptRate: fc.double({ min: 0, max: 0.02, noNaN: true }),
  timestamps: fc.boolean(),
  windowScale: fc.boolean(),
  sack: fc.boolean(),
  congctl: fc.constantFrom("newreno", "cubic"),
  // the buffers: 0 keeps tcp_sendspace/tcp_recvspace; above 65535 a window shift
  rcvbuf: fc.constantFrom(0, 4_000, 100_000, 200_000),
  sndbuf: fc.constantFrom(0, 8_000, 100_000),
});
type Params = typeof params extends fc.Arbitrary<infer T> ? T : never;

/** Every socket's states, as the probes saw them: each must end in CLOSED or TIME_WAIT. */
function unfinished(r: TcpRun): string | null {
  for (const [so, states] of r.states) {
    const last = states[states.length - 1];
    if (last !== "CLOSED" && last !== "TIME_WAIT") return `${so} ended in ${last}`;
  }
  return null;
}

/** No receive buffer ever held more than its high-water mark (the window was respected). */
function watchBuffers(k: NetKernel, r: TcpRun, over: string[]): void {
  netProbes(k.sim).deliver.subscribe(() => {
    for (const so of [r.server, r.client]) {
      if (so !== null && so.so_rcv.sb_cc > so.so_rcv.sb_hiwat) {
        over.push(`so${so.id}: ${so.so_rcv.sb_cc} bytes in a ${so.so_rcv.sb_hiwat}-byte buffer`);
      }
    }
  });
}

/** One run of the property: null when the streams arrived whole and both ends closed, else what went wrong. */
function integrity(p: Params, fault?: TcpFault): { r: TcpRun; failure: string | null } {
  const total = p.writes.reduce((a, b) => a + b, 0);
  const over: string[] = [];
  const opts: [number, number, sockoptval][] = [[IPPROTO_TCP, TCP_CONGESTION, p.congctl]];
  if (p.rcvbuf > 0) opts.push([SOL_SOCKET, SO_RCVBUF, p.rcvbuf]);
  if (p.sndbuf > 0) opts.push([SOL_SOCKET, SO_SNDBUF, p.sndbuf]);
  const r = tcpRun({
    seed: p.seed,
    cpus: p.cpus,
    variant: p.variant,
    writes: p.writes,
    ...(p.replyWrites === undefined ? {} : { replyWrites: p.replyWrites }),
    readSize: p.readSize,
    readAfterMs: p.readAfterMs,
    wire: {
      lossRate: p.lossRate,
      duplicateRate: p.duplicateRate,
      reorderRate: p.reorderRate,
      corruptRate: p.corruptRate,
    },
    // losses cost retransmit timeouts of 1 s and more: progress, not speed
    limitMs: 120_000,
    // the close sequence, FINs lost and resent included
    afterMs: 30_000,
    tcp: {
      timestamps: p.timestamps,
      windowScale: p.windowScale,
      sack: p.sack,
      ...(fault === undefined ? {} : { fault }),
    },
    serverOpts: opts,
    clientOpts: opts,
    before: (k, run) => watchBuffers(k, run, over),
  });
  const fail = (): string | null => {
    if (r.connectError !== 0) return `connect: ${r.connectError}`;
    if (r.writeErrors.length > 0) return `writes: ${r.writeErrors}`;
    const e = checkStream(r.ranges, r.iss, total);
    if (e !== null) return `stream: ${e}`;
    if (!r.eof) return "no end of file after the last byte";
    if (p.replyWrites !== undefined) {
      const back = checkStream(
        r.replyRanges,
        r.replyIss,
        p.replyWrites.reduce((a, b) => a + b, 0),
      );
      if (back !== null) return `reply stream: ${back}`;
      if (!r.replyEof) return "no end of file on the reply stream";
    }
    if (over.length > 0) return `receive buffer overrun: ${over[0]}`;
    return unfinished(r);
  };
  return { r, failure: fail() };
}

describe("a TCP stream arrives whole, once and in order", () => {
  it(
    "both directions at once over a wire that loses, duplicates, reorders and corrupts frames; 1-4 CPUs, every softint variant, RFC 7323, SACK and CUBIC on or off",
    () => {
      // the recovery the runs needed, summed: the property must have exercised it
      const seen = {
        rexmit: 0,
        timeouts: 0,
        outOfOrder: 0,
        dupSegs: 0,
        scaled: 0,
        stamped: 0,
        sackRecoveries: 0,
        probes: 0,
        both: 0,
      };
      fc.assert(
        fc.property(params, (p) => {
          const { r, failure } = integrity(p);
          expect(failure).toBeNull();
          const sender = r.k.peer.tcpstat;
          const receiver = r.k.dut.tcpstat;
          seen.rexmit += sender.tcps_sndrexmitpack;
          seen.timeouts += sender.tcps_rexmttimeo;
          seen.outOfOrder += receiver.tcps_rcvoopack;
          seen.dupSegs += receiver.tcps_rcvduppack;
          seen.sackRecoveries += sender.tcps_sack_recovery_episode;
          seen.probes += sender.tcps_sndprobe;
          if (r.clientTp!.snd_scale > 0) seen.scaled++;
          if (r.clientTp!.t_segsz < 1_460) seen.stamped++;
          if (p.replyWrites !== undefined && p.replyWrites.length > 0) seen.both++;
        }),
        { numRuns: RUNS, seed: 16 },
      );
      for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(0);
      // a soak gets the time its runs need
    },
    Math.max(60_000, RUNS * 2_000),
  );

  /** The first seed of the property a fault breaks, or null: each broken variant must be caught. */
  function firstFailure(fault: TcpFault): string | null {
    const out = fc.check(
      fc.property(params, (p) => integrity(p, fault).failure === null),
      { numRuns: RUNS, seed: 16, endOnFailure: true },
    );
    return out.failed ? String(out.counterexample?.[0]?.seed) : null;
  }

  it("catches a receive window off by one (a window probe's byte taken into a full buffer)", () => {
    expect(firstFailure("rcvwnd-off-by-one")).not.toBeNull();
  });

  it("catches a lost wakeup (the writer not woken when an ACK empties its buffer)", () => {
    expect(firstFailure("lost-wakeup")).not.toBeNull();
  });

  /** A stream whose sequence numbers cross 2^32 50,000 bytes in, over a lossy, reordering wire. */
  function acrossWrap(fault?: TcpFault) {
    const writes = Array<number>(20).fill(10_000);
    return tcpRun({
      seed: 7,
      writes,
      wire: { lossRate: 0.02, reorderRate: 0.05, duplicateRate: 0.02 },
      limitMs: 120_000,
      ...(fault === undefined ? {} : { tcp: { fault } }),
      before: (k) => {
        // the peer's initial sequence number 50,000 below 2^32 (the first ISS drawn): NetBSD's
        // tcp_iss_seq 255 steps on (as after 127 s of uptime), its random bits all but 50,000
        k.peer.tcp_iss.issued = 255;
        const rng = k.sim.rng;
        const draw = rng.int.bind(rng);
        let first = true;
        rng.int = (lo, hi) => {
          if (first && hi === TCP_ISS_RANDOM_MASK) {
            first = false;
            return TCP_ISS_RANDOM_MASK - 50_000;
          }
          return draw(lo, hi);
        };
      },
    });
  }

  it("across 2^32: a stream whose sequence numbers wrap arrives whole over a lossy, reordering wire", () => {
    const r = acrossWrap();
    expect(r.iss).toBe(0xffff_ffff - 50_000);
    expect(checkStream(r.ranges, r.iss, 200_000)).toBeNull();
    expect(r.eof).toBe(true);
    expect(r.k.peer.tcpstat.tcps_sndrexmitpack).toBeGreaterThan(0);
  });

  it("across 2^32: catches a sequence comparison without wrap-around (the seq-no-wrap fault stalls the stream)", () => {
    const r = acrossWrap("seq-no-wrap");
    expect(checkStream(r.ranges, r.iss, 200_000)).not.toBeNull();
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
