import { NS_PER_MS, NS_PER_SEC } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { dropData, tcpRun } from "./tcpfixtures.js";

const writes = Array<number>(64).fill(16_384); // 1 MiB

describe("TCP loss recovery (RFC 5681 3.2, RFC 6582, RFC 6298)", () => {
  it("one lost segment is repaired by fast retransmit on the third duplicate ACK, not by the RTO", () => {
    let seen = 0;
    let lostSeq = -1;
    const r = tcpRun({
      writes,
      before: (k) =>
        dropData(k, (f) => {
          // the 40th data segment, the first time it is sent
          if (++seen === 40) lostSeq = f.th_seq;
          return seen === 40;
        }),
    });
    const sender = r.k.peer.tcpstat;
    expect(lostSeq).toBeGreaterThanOrEqual(0);
    expect(r.bytesRead).toBe(1_048_576);
    expect(sender.tcps_rcvdupack).toBeGreaterThanOrEqual(3);
    expect(sender.tcps_sndrexmitpack).toBe(1);
    expect(sender.tcps_rexmttimeo).toBe(0);
    // repaired in about a round trip: the whole MiB is read in well under the 1 s minimum RTO
    expect(r.lastReadNs).toBeLessThan(50 * NS_PER_MS);
  });

  it("two losses in one window: NewReno's partial ACK retransmits the second without a timeout (RFC 6582 3.2)", () => {
    let seen = 0;
    const r = tcpRun({
      writes,
      // the 40th and 43rd data segments, the first time they are sent
      before: (k) => dropData(k, () => ++seen === 40 || seen === 43),
    });
    const sender = r.k.peer.tcpstat;
    expect(r.bytesRead).toBe(1_048_576);
    expect(sender.tcps_sndrexmitpack).toBe(2);
    expect(sender.tcps_rexmttimeo).toBe(0);
    expect(r.lastReadNs).toBeLessThan(50 * NS_PER_MS);
  });

  it("when a whole window is lost the retransmit timer repairs it, after at least TCPTV_MIN (1 s)", () => {
    let from = -1;
    const r = tcpRun({
      writes,
      limitMs: 10_000,
      // without SACK: with it, the segments the delayed ACK lets out are SACKed past the hole and
      // TCP_FACK_FASTRECOV starts recovery at once (tcp-sack.test.ts)
      tcp: { sack: false },
      before: (k) =>
        dropData(k, (_f, now) => {
          // every data frame for 2 ms from the 3rd ms of the transfer: the whole flight
          if (from < 0) from = now + 3 * NS_PER_MS;
          return now >= from && now < from + 2 * NS_PER_MS;
        }),
    });
    const sender = r.k.peer.tcpstat;
    expect(r.bytesRead).toBe(1_048_576);
    expect(sender.tcps_rexmttimeo).toBeGreaterThanOrEqual(1);
    // nothing arrived to make duplicate ACKs: the timer, not fast retransmit, after RTO >= 1 s
    expect(r.lastReadNs - from).toBeGreaterThan(NS_PER_SEC);
    expect(r.lastReadNs - from).toBeLessThan(2 * NS_PER_SEC);
  });
});
