/*
 * Every shipped policy, with every scheme it takes, under lockdebug on
 * random UDP and TCP workloads (1-4 CPUs, loss on the wire): no report, and
 * each TCP stream arrives whole and in order (policies-each.test.ts runs
 * each kernel in turn). And lockdebug does report the
 * lock-order reversal of a split written with one.
 */
import { lockdebug_enable, RW_WRITER, rw_enter } from "@smpnet/core";
import type { NetPolicy } from "@smpnet/netinet";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { split } from "../src/index.js";
import { udpRun } from "./fixtures.js";
import { KERNELS } from "./kernels.js";
import { checkStream, tcpRun } from "./tcpfixtures.js";

const workload = fc.record({
  kernel: fc.constantFrom(...KERNELS),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  cpus: fc.integer({ min: 1, max: 4 }),
  lossRate: fc.constantFrom(0, 0.01, 0.03),
});

describe("every policy and scheme under lockdebug", () => {
  it("covers the four policies and the schemes of the two that take one", () => {
    expect(KERNELS).toHaveLength(2 + 2 * 4);
  });

  it("reports nothing on random UDP workloads", () => {
    fc.assert(
      fc.property(workload, fc.integer({ min: 1, max: 120 }), (o, n) => {
        let reports: unknown[] = [];
        const r = udpRun({
          ...o.kernel,
          seed: o.seed,
          cpus: o.cpus,
          sizes: Array(n).fill(600),
          gapNs: 2_000,
          readerCpu: o.cpus - 1,
          wire: { lossRate: o.lossRate },
          before(k) {
            reports = lockdebug_enable(k.dut.host).reports;
          },
        });
        expect(reports).toEqual([]);
        expect(r.readIds.length).toBeGreaterThan(0);
      }),
      { numRuns: 15, seed: 18 },
    );
  });

  it("reports nothing on random TCP workloads, and each stream arrives whole and in order", () => {
    fc.assert(
      fc.property(
        workload,
        fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 6 }),
        (o, writes) => {
          let reports: unknown[] = [];
          const r = tcpRun({
            ...o.kernel,
            seed: o.seed,
            cpus: o.cpus,
            writes,
            wire: { lossRate: o.lossRate },
            limitMs: 60_000,
            before(k) {
              reports = lockdebug_enable(k.dut.host).reports;
            },
          });
          expect(reports).toEqual([]);
          expect(r.eof).toBe(true);
          const total = writes.reduce((a, b) => a + b, 0);
          expect(checkStream(r.ranges, r.iss, total)).toBeNull();
        },
      ),
      { numRuns: 15, seed: 18 },
    );
  });

  it("reports the lock-order reversal of a split that takes the pcb lock under a sockbuf mutex", () => {
    // pr_send and pr_rcvd without first dropping the sockbuf mutex: so_rcv
    // before inp_lock, where the input path takes inp_lock before so_rcv
    const reversed: NetPolicy = {
      name: "split-without-sockbuf-drop",
      attach(stack) {
        const s = split("epoch").attach(stack);
        return {
          ...s,
          usrreq: {
            *enter(so) {
              yield* rw_enter((so.lockState as { inp: never }).inp, RW_WRITER);
            },
            exit: s.timer.exit,
          },
        };
      },
    };
    let reports: { kind: string }[] = [];
    tcpRun({
      policy: reversed,
      writes: [20_000],
      before(k) {
        reports = lockdebug_enable(k.dut.host).reports;
      },
    });
    expect(reports.map((r) => r.kind)).toContain("lock-order-reversal");
  });
});
