import { type Link, netProbes, TF_SACK_PERMIT, TH_SYN } from "@smpnet/netinet";
import { NS_PER_MS, NS_PER_SEC } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { dropData, tcpRun } from "./tcpfixtures.js";

const writes = Array<number>(64).fill(16_384); // 1 MiB

/** The SACK option of every frame `link` carries: [sackperm on a SYN, blocks]. */
function watchSack(
  link: Link,
  out: { syn: boolean; perm: boolean; blocks: readonly number[] | null }[],
) {
  const transmit = link.transmit.bind(link);
  link.transmit = (f) => {
    out.push({ syn: (f.th_flags & TH_SYN) !== 0, perm: f.th_sackperm, blocks: f.th_sack });
    return transmit(f);
  };
}

/** A bulk transfer losing the first sends `lose` picks by their count (from 1) and time. */
function lossy(sack: boolean, lose: (n: number, now: number) => boolean) {
  let n = 0;
  const sent = new Set<number>();
  let dropped = 0;
  const r = tcpRun({
    writes,
    limitMs: 10_000,
    tcp: { sack },
    before: (k) =>
      dropData(k, (f, now) => {
        // count first transmissions only: a retransmission of a dropped segment gets through
        if (sent.has(f.th_seq)) return false;
        sent.add(f.th_seq);
        if (!lose(++n, now)) return false;
        dropped++;
        return true;
      }),
  });
  return { r, dropped };
}

describe("SACK (RFC 2018) and SACK-based recovery (RFC 6675 as NetBSD does it)", () => {
  it("SACK-permitted rides on SYN and SYN-ACK when both offer it, and on neither when the receiver does not", () => {
    for (const peerSack of [true, false]) {
      const toDut: Parameters<typeof watchSack>[1] = [];
      const toPeer: Parameters<typeof watchSack>[1] = [];
      const r = tcpRun({
        writes: [10_000],
        limitMs: 100,
        tcp: { sack: peerSack },
        peerTcp: { sack: true },
        before: (k) => {
          watchSack(k.toDut, toDut);
          watchSack(k.toPeer, toPeer);
        },
      });
      expect(r.bytesRead).toBe(10_000);
      expect(toDut.find((s) => s.syn)!.perm).toBe(true);
      expect(toPeer.find((s) => s.syn)!.perm).toBe(peerSack);
      expect((r.clientTp!.t_flags & TF_SACK_PERMIT) !== 0).toBe(peerSack);
      expect((r.serverTp!.t_flags & TF_SACK_PERMIT) !== 0).toBe(peerSack);
    }
  });

  it("the receiver reports its out-of-order runs, the newest first (RFC 2018 section 4)", () => {
    const toPeer: Parameters<typeof watchSack>[1] = [];
    let lost: number[] = [];
    let n = 0;
    const r = tcpRun({
      writes,
      before: (k) => {
        watchSack(k.toPeer, toPeer);
        // two holes: the 40th and the 44th data segments, the first time
        dropData(k, (f) => {
          if (++n === 40 || n === 44) lost = [...lost, f.th_seq];
          return n === 40 || n === 44;
        });
      },
    });
    expect(r.bytesRead).toBe(1_048_576);
    const two = toPeer.find((s) => s.blocks !== null && s.blocks.length === 4)!;
    expect(two).toBeDefined();
    const [l1, r1, l2, r2] = two.blocks!;
    // the newer run (past the second hole) first; the older one (between the holes) second
    expect(l1).toBe((lost[1]! + 1_448) >>> 0);
    expect(l2).toBe((lost[0]! + 1_448) >>> 0);
    expect(r2).toBe(lost[1]);
    expect(r1! - l1!).toBeGreaterThan(0);
    expect(r.k.dut.tcpstat.tcps_sack_send_blocks).toBeGreaterThan(0);
  });

  it("four holes in one window: SACK resends exactly the holes, in one recovery episode, without a timeout", () => {
    const holes = new Set([40, 42, 45, 48]);
    const withSack = lossy(true, (n) => holes.has(n));
    const s = withSack.r.k.peer.tcpstat;
    expect(withSack.r.bytesRead).toBe(1_048_576);
    expect(withSack.dropped).toBe(4);
    expect(s.tcps_sack_recovery_episode).toBe(1);
    expect(s.tcps_sndrexmitpack).toBe(4);
    expect(s.tcps_sack_rexmits).toBe(4);
    expect(s.tcps_rexmttimeo).toBe(0);
    // the receiver never got a byte twice
    expect(withSack.r.k.dut.tcpstat.tcps_rcvduppack).toBe(0);
  });

  it("a whole flight lost: SACK resends only what was lost and needs no timeout; NewReno waits for the RTO and resends more", () => {
    // every first send for 2 ms from the 3rd ms of the transfer: the whole flight
    const flight = () => {
      let from = -1;
      return (_n: number, now: number) => {
        if (from < 0) from = now + 3 * NS_PER_MS;
        return now >= from && now < from + 2 * NS_PER_MS;
      };
    };
    const sack = lossy(true, flight());
    const reno = lossy(false, flight());
    for (const x of [sack, reno]) expect(x.r.bytesRead).toBe(1_048_576);
    const s = sack.r.k.peer.tcpstat;
    const n = reno.r.k.peer.tcpstat;
    expect(s.tcps_rexmttimeo).toBe(0);
    expect(s.tcps_sndrexmitpack).toBe(sack.dropped);
    expect(sack.r.k.dut.tcpstat.tcps_rcvduppack).toBe(0);
    expect(n.tcps_rexmttimeo).toBeGreaterThanOrEqual(1);
    // go-back-N after the timeout resends segments the receiver already holds
    expect(n.tcps_sndrexmitpack).toBeGreaterThan(reno.dropped);
    expect(reno.r.k.dut.tcpstat.tcps_rcvduppack).toBeGreaterThan(0);
    expect(sack.r.lastReadNs).toBeLessThan(reno.r.lastReadNs - NS_PER_SEC / 2);
  });

  it("the retransmit probe names the cause and carries cwnd and srtt", () => {
    const causes: string[] = [];
    let srtt = 0;
    const holes = new Set([40, 45]);
    let n = 0;
    tcpRun({
      writes,
      before: (k) => {
        netProbes(k.sim).tcp_retransmit.subscribe((_t, _cpu, _id, _seq, _len, cwnd, s, cause) => {
          causes.push(cause);
          srtt = s;
          expect(cwnd).toBeGreaterThan(0);
        });
        dropData(k, () => holes.has(++n));
      },
    });
    expect(causes).toEqual(["sack", "sack"]);
    expect(srtt).toBeGreaterThan(0);
    expect(srtt).toBeLessThan(NS_PER_MS);
  });
});
