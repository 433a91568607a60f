/*
 * SOFTINT_NET's share for claim 2, read from a run's folded stacks: the
 * softint's spin counts, another context's spin and an interrupt taken
 * inside the softint do not.
 */
import type { RunResult } from "@smpnet/report";
import { describe, expect, it } from "vitest";
import { softnetShare } from "../src/claims/measure.js";

const run = (folded: string[]) =>
  ({
    folded,
    cpus: [
      { split: { softnet: 30, spin: 30, kernel: 20, idle: 20 } },
      { split: { kernel: 40, spin: 40, idle: 20 } },
    ],
  }) as unknown as RunResult;

describe("SOFTINT_NET's share with its spin", () => {
  it("counts the softint's own frames, its spin included, and nothing else", () => {
    const r = run([
      "cpu0;softint_net 10",
      "cpu0;softint_net;tcp_input 50",
      "cpu0;softint_net;intr_dut.if0.rx0 5",
      "cpu1;iperf3-c/0;sosend 80",
      "cpu0;intr_dut.if0.rx0 15",
    ]);
    expect(softnetShare(r)).toBeCloseTo(60 / 200, 12);
  });

  it("is 0 on a machine that spent no time", () => {
    expect(
      softnetShare({ folded: [], cpus: [{ split: { idle: 0 } }] } as unknown as RunResult),
    ).toBe(0);
  });
});
