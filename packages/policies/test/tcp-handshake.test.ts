import { ECONNREFUSED, type Frame, TH_SYN } from "@smpnet/netinet";
import { describe, expect, it } from "vitest";
import { tcpRun } from "./tcpfixtures.js";

describe("TCP's handshake and close (RFC 793 3.5)", () => {
  it("connect and accept establish; the active closer passes TIME_WAIT, the passive one LAST_ACK", () => {
    // the writer on the peer closes first; 2MSL is 60 s
    const r = tcpRun({ writes: [3_000], limitMs: 100, afterMs: 61_000 });
    expect(r.connectError).toBe(0);
    expect(r.bytesRead).toBe(3_000);
    expect(r.eof).toBe(true);
    const states = [...r.states.values()];
    expect(states).toContainEqual([
      "SYN_SENT",
      "ESTABLISHED",
      "FIN_WAIT_1",
      "FIN_WAIT_2",
      "TIME_WAIT",
      "CLOSED",
    ]);
    expect(states).toContainEqual([
      "SYN_RECEIVED",
      "ESTABLISHED",
      "CLOSE_WAIT",
      "LAST_ACK",
      "CLOSED",
    ]);
    // the listener
    expect(states).toContainEqual(["LISTEN", "CLOSED"]);
    // every pcb is gone once TIME_WAIT has ended
    expect(r.k.peer.tcbtable.count + r.k.dut.tcbtable.count).toBe(0);
  });

  it("TIME_WAIT lasts 2MSL: the connection is still there at 59 s", () => {
    const r = tcpRun({ writes: [3_000], limitMs: 100, afterMs: 59_000 });
    const peer = [...r.states.entries()].find(([k]) => k.startsWith("peer"))![1];
    expect(peer.at(-1)).toBe("TIME_WAIT");
    expect(r.k.peer.tcbtable.count).toBe(1);
  });

  it("a SYN to a port nobody listens on gets a RST, and connect fails with ECONNREFUSED", () => {
    const r = tcpRun({ writes: [], connectPort: 5_999, limitMs: 20 });
    expect(r.connectError).toBe(ECONNREFUSED);
    expect(r.k.dut.tcpstat.tcps_noport).toBe(1);
    expect(r.k.dut.tcpstat.tcps_sndrst).toBe(1);
    const peer = [...r.states.entries()].find(([k]) => k.startsWith("peer"))![1];
    expect(peer).toEqual(["SYN_SENT", "CLOSED"]);
  });

  it("a lost SYN-ACK: the peer's SYN again is answered with a SYN-ACK from the same ISS, and the reply stream starts after it", () => {
    const synacks: number[] = [];
    const r = tcpRun({
      writes: [1_000],
      replyWrites: [1_000],
      limitMs: 10_000,
      before: (k) => {
        // the first SYN-ACK is lost
        const link = k.toPeer;
        const sink = link.sink;
        (link as { sink: typeof sink }).sink = {
          frameArrived(f: Frame) {
            if (f.th_flags & TH_SYN) synacks.push(f.th_seq);
            if (f.th_flags & TH_SYN && synacks.length === 1) link.release(f);
            else sink.frameArrived(f);
          },
        };
      },
    });
    expect(synacks.length).toBe(2);
    expect(synacks[1]).toBe(synacks[0]);
    expect(r.replyRanges.slice(0, 2)).toEqual([(synacks[0]! + 1) >>> 0, 1_000]);
  });
});
