import { ENOBUFS } from "@smpnet/netinet";
import { describe, expect, it } from "vitest";
import { udpRun } from "./fixtures.js";

/** A burst, a 40 ms pause (the reader, if late, starts at 30 ms), then datagrams 1 ms apart. */
const burstThenTrickle = (burst: number) => (i: number) =>
  i < burst - 1 ? 0 : i === burst - 1 ? 40_000_000 : 1_000_000;

/** The system kept running: every datagram of the trickle after the burst was read. */
function trickleRead(r: ReturnType<typeof udpRun>, burst: number, total: number) {
  const read = new Set(r.readIds);
  for (let id = burst + 1; id <= total; id++) expect(read.has(id)).toBe(true);
}

describe("drops, each counted, and the system keeps running", () => {
  it("a full receive ring drops (rxRingFull) and counts each frame", () => {
    const sizes = Array(120).fill(1000);
    const r = udpRun({
      sizes,
      gapNs: burstThenTrickle(100),
      nic: { rxRingSize: 4, interruptModeration: { holdoffUs: 200, adaptive: false } },
    });
    const st = r.k.dut.ifp.if_data;
    expect(st.rxRingFull).toBeGreaterThan(0);
    expect(r.drops.filter((d) => d.reason === "rxRingFull").length).toBe(st.rxRingFull);
    expect(st.if_iqdrops).toBe(st.rxRingFull);
    trickleRead(r, 100, 120);
  });

  it("a full socket buffer drops (udps_fullsock)", () => {
    const sizes = Array(100).fill(1400);
    const r = udpRun({ sizes, gapNs: burstThenTrickle(80), readAfterMs: 30 });
    const st = r.k.dut.udpstat;
    expect(st.udps_fullsock).toBeGreaterThan(0);
    expect(r.drops.filter((d) => d.reason === "udps_fullsock").length).toBe(st.udps_fullsock);
    trickleRead(r, 80, 100);
  });

  it("an exhausted cluster pool drops in the driver (rxNoMbuf) without a crash", () => {
    const sizes = Array(100).fill(1400);
    const r = udpRun({ sizes, gapNs: burstThenTrickle(80), readAfterMs: 30, nmbclusters: 8 });
    const st = r.k.dut.ifp.if_data;
    expect(st.rxNoMbuf).toBeGreaterThan(0);
    expect(r.k.dut.mbufs.drops).toBeGreaterThan(0);
    expect(r.drops.filter((d) => d.reason === "rxNoMbuf").length).toBe(st.rxNoMbuf);
    trickleRead(r, 80, 100);
    expect(r.k.dut.mbufs.clustersOut).toBe(0);
  });

  it("a full transmit ring stops if_start (IFF_OACTIVE), if_snd drops with ENOBUFS, the rest is sent", () => {
    const sizes = Array(700).fill(1472);
    const r = udpRun({ sizes, gapNs: 0 });
    const tx = r.k.peer.ifp.if_data;
    expect(tx.oactive).toBeGreaterThan(0);
    expect(tx.if_snd_drops).toBeGreaterThan(0);
    expect(r.sendErrors.get(ENOBUFS)).toBe(tx.if_snd_drops);
    expect(r.k.peer.ipstat.ips_odropped).toBe(tx.if_snd_drops);
    // every datagram sendto accepted went out and was read
    expect(r.readIds.length).toBe(r.sent.size);
    expect(tx.if_opackets).toBe(r.sent.size);
  });
});
