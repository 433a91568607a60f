/*
 * How soreceive hands a stream to the reader, as both kernels do it: an
 * mbuf at a time, the socket's lock dropped around each uiomove (the
 * policy's `copy` point) and the mbuf dropped from so_rcv after it. The
 * reader is on the system under test; a policy with giant's locks records
 * what so_rcv held at each copy.
 */
import type { NetPolicy } from "@smpnet/netinet";
import { describe, expect, it } from "vitest";
import { giant } from "../src/index.js";
import { checkStream, tcpRun } from "./tcpfixtures.js";

describe("soreceive on a stream", () => {
  it("copies out an mbuf at a time, each inside the copy point", () => {
    const held: number[] = [];
    const policy: NetPolicy = {
      name: "giant-recording",
      attach(stack) {
        const l = giant.attach(stack);
        if (stack.host.ideal) return l;
        return {
          ...l,
          copy: {
            *enter(so) {
              held.push(so.so_rcv.sb_cc);
              yield* l.copy.enter(so);
            },
            exit: l.copy.exit,
          },
        };
      },
    };
    // all 20,000 bytes (13 full segments and 1,176 bytes) wait in so_rcv before the one read
    const r = tcpRun({ policy, writes: [20_000], readAfterMs: 50, limitMs: 1_000 });
    expect(r.bytesRead).toBe(20_000);
    const pieces = held.map((cc, i) => cc - (held[i + 1] ?? 0));
    expect(pieces).toEqual([...Array(13).fill(1_448), 1_176]);
    expect(checkStream(r.ranges, r.iss, 20_000)).toBeNull();
  });
});
