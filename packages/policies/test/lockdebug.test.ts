import { lockdebug_enable, MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } from "@smpnet/core";
import { type NetPolicy, NOTHING } from "@smpnet/netinet";
import { IPL_NONE } from "@smpnet/sim";
import { SOFTINT_VARIANTS } from "@smpnet/softint";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { giant } from "../src/index.js";
import { udpRun } from "./fixtures.js";

describe("giant under lockdebug", () => {
  it("reports nothing on random UDP workloads", () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          cpus: fc.integer({ min: 1, max: 4 }),
          variant: fc.constantFrom(...SOFTINT_VARIANTS),
          n: fc.integer({ min: 1, max: 150 }),
          gapNs: fc.constantFrom(0, 1_000, 10_000),
        }),
        (o) => {
          let reports: unknown[] = [];
          udpRun({
            ...o,
            sizes: Array(o.n).fill(1000),
            readerCpu: o.cpus - 1,
            before(k) {
              reports = lockdebug_enable(k.dut.host).reports;
            },
          });
          expect(reports).toEqual([]);
        },
      ),
      { numRuns: 15 },
    );
  });

  it("would report a lock-order reversal a policy introduced (the check above can fail)", () => {
    const reversed: NetPolicy = {
      name: "giant-with-reversed-order",
      attach(stack) {
        const g = giant.attach(stack);
        const a = mutex_init(stack.host, "a_lock", MUTEX_DEFAULT, IPL_NONE);
        return {
          ...g,
          // input holds softnet_lock and kernel_lock, then takes a_lock ...
          so_input: {
            *enter() {
              yield* mutex_enter(a);
            },
            *exit() {
              yield* mutex_exit(a);
            },
          },
          // ... while a system call takes a_lock, then softnet_lock
          so_syscall: {
            *enter(so) {
              yield* mutex_enter(a);
              yield* g.so_syscall.enter(so);
            },
            *exit(so) {
              yield* g.so_syscall.exit(so);
              yield* mutex_exit(a);
            },
          },
          copy: {
            *enter(so) {
              yield* g.copy.enter(so);
              yield* mutex_exit(a);
            },
            *exit(so) {
              yield* mutex_enter(a);
              yield* g.copy.exit(so);
            },
          },
        };
      },
    };
    let reports: { kind: string }[] = [];
    udpRun({
      policy: reversed,
      sizes: Array(50).fill(100),
      gapNs: 1_000,
      before(k) {
        reports = lockdebug_enable(k.dut.host).reports;
      },
    });
    expect(reports.map((r) => r.kind)).toContain("lock-order-reversal");
  });

  it("panics when a lock point is left unprotected: two LWPs inside one socket buffer", () => {
    const leaky: NetPolicy = {
      name: "giant-without-input-lock",
      attach(stack) {
        return { ...giant.attach(stack), input: NOTHING };
      },
    };
    expect(() => udpRun({ policy: leaky, sizes: Array(2_000).fill(200), gapNs: 500 })).toThrow(
      /panic: sb(appendaddr|droprecord): .* inside; the policy leaves this socket buffer unprotected/,
    );
  });
});
