/*
 * How sosend hands a stream to TCP, as each kernel does it: NetBSD's sosend
 * one mbuf per pr_send (a 2 KB cluster while a cluster's room is left,
 * then MHLEN-sized small mbufs for the tail of the room it saw), FreeBSD's
 * sosend_generic (policy `sosend: "space"`) all the room in one pr_send.
 * The writer is on the peer; a policy with giant's locks records how many
 * bytes each of its pr_send calls appended to so_snd.
 */
import type { NetPolicy } from "@smpnet/netinet";
import { describe, expect, it } from "vitest";
import { giant } from "../src/index.js";
import { checkStream, tcpRun } from "./tcpfixtures.js";

function recording(sosend: NetPolicy["sosend"]) {
  const sizes: number[] = [];
  const policy: NetPolicy = {
    name: "giant-recording",
    ...(sosend === undefined ? {} : { sosend }),
    attach(stack) {
      const l = giant.attach(stack);
      if (!stack.host.ideal) return l;
      let before = 0;
      return {
        ...l,
        usrreq: {
          *enter(so) {
            yield* l.usrreq.enter(so);
            before = so.so_snd.sb_cc;
          },
          *exit(so) {
            // nothing drops from so_snd meanwhile: giant's input waits for softnet_lock
            if (so.so_snd.sb_cc > before) sizes.push(so.so_snd.sb_cc - before);
            yield* l.usrreq.exit(so);
          },
        },
      };
    },
  };
  return { policy, sizes };
}

describe("sosend on a stream", () => {
  it("gives NetBSD's pr_send one cluster at a time, the last one short", () => {
    const { policy, sizes } = recording(undefined);
    const r = tcpRun({ policy, writes: [5_000], limitMs: 1_000 });
    expect(sizes).toEqual([2_048, 2_048, 904]);
    expect(checkStream(r.ranges, r.iss, 5_000)).toBeNull();
  });

  it("fills the tail of the room NetBSD's sosend saw with small mbufs", () => {
    const { policy, sizes } = recording(undefined);
    // so_snd holds 23 segments (33,304 bytes): 16 clusters, then 536 bytes in MHLEN (400-byte) pieces
    const r = tcpRun({ policy, writes: [40_000], limitMs: 1_000 });
    expect(sizes.slice(0, 18)).toEqual([...Array(16).fill(2_048), 400, 136]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(40_000);
    expect(checkStream(r.ranges, r.iss, 40_000)).toBeNull();
  });

  it("gives FreeBSD's pr_send all the room at once", () => {
    const { policy, sizes } = recording("space");
    const r = tcpRun({ policy, writes: [5_000, 40_000], limitMs: 1_000 });
    expect(sizes.slice(0, 2)).toEqual([5_000, 33_304 - 5_000]);
    expect(checkStream(r.ranges, r.iss, 45_000)).toBeNull();
  });
});
