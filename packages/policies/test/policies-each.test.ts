/*
 * Each shipped policy with each scheme it takes, in turn, under lockdebug: a
 * stream over a lossy, reordering wire to the system under test arrives
 * whole and in order; the ER-4 sending two streams and serving TCP_CRR
 * (bench/experiments.mjs) reports nothing either.
 */
import { lockdebug_enable } from "@smpnet/core";
import type { NetKernel } from "@smpnet/netinet";
import { describe, expect, it } from "vitest";
import { crrRun, streamRun } from "../bench/experiments.mjs";
import { KERNELS } from "./kernels.js";
import { checkStream, tcpRun } from "./tcpfixtures.js";

describe("each policy and scheme in turn", () => {
  it("delivers a stream whole and in order over a lossy wire under every policy and scheme", () => {
    for (const kernel of KERNELS) {
      let reports: unknown[] = [];
      const writes = [20_000, 30_000];
      const r = tcpRun({
        ...kernel,
        seed: 7,
        writes,
        // small reads: soreceive drops from so_rcv often while tcp_input appends
        readSize: 700,
        wire: { lossRate: 0.02, reorderRate: 0.02 },
        limitMs: 60_000,
        before(k) {
          reports = lockdebug_enable(k.dut.host).reports;
        },
      });
      expect(reports, kernel.policy).toEqual([]);
      expect(r.k.peer.tcpstat.tcps_sndrexmitpack, kernel.policy).toBeGreaterThan(0);
      expect(checkStream(r.ranges, r.iss, 50_000), kernel.policy).toBeNull();
    }
  });

  it("reports nothing while the ER-4 sends two streams and serves TCP_CRR", () => {
    for (const kernel of KERNELS) {
      let reports: unknown[] = [];
      const before = (k: NetKernel) => {
        reports = lockdebug_enable(k.dut.host).reports;
      };
      const s = streamRun({ ...kernel, streams: 2, spread: true, simMs: 4, warmMs: 4, before });
      expect(reports, kernel.policy).toEqual([]);
      expect(s.broken).toBe(0);
      const c = crrRun({ ...kernel, simMs: 4, warmMs: 4, before });
      expect(reports, kernel.policy).toEqual([]);
      expect(c.transactionsPerSecond).toBeGreaterThan(0);
    }
  });
});
