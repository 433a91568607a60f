import { describe, expect, it } from "vitest";
import { smpnet, smpnetWith } from "./cli.js";

/** The claims the lab shows hold; 2 and 3 it does not (see EXPERIMENTS.md). */
const HOLDING = ["1", "4", "5", "6", "flows", "crr"];

describe("smpnet claims", () => {
  it("prints one object per claim with the seed's words, the figures and the verdict, and the lab's claims hold under every scaled estimate", () => {
    const r = smpnetWith(
      { timeout: 170_000 },
      "claims",
      "--json",
      ...HOLDING.flatMap((c) => ["--claim", c]),
    );
    expect(r.stderr).not.toMatch(/Error|at .*\.js:/);
    const claims = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(claims.map((c) => c.claim)).toEqual(HOLDING);
    for (const c of claims) {
      expect(Object.keys(c)).toEqual(
        expect.arrayContaining(["claim", "seed", "measured", "holds", "sensitivity", "command"]),
      );
      expect(c.seed.length).toBeGreaterThan(40);
      expect([c.claim, c.holds, c.why]).toEqual([c.claim, true, undefined]);
      for (const s of c.sensitivity)
        expect([c.claim, s.constant, s.factor, s.holds]).toEqual([
          c.claim,
          s.constant,
          s.factor,
          true,
        ]);
    }
    const byId = Object.fromEntries(claims.map((c) => [c.claim, c]));
    // every estimate halved and doubled
    expect(byId["1"].sensitivity.map((s: { factor: number }) => s.factor)).toEqual([0.5, 2]);
    expect(byId["5"].sensitivity).toHaveLength(4);
    expect(byId["6"].sensitivity).toEqual([]);
    // the figures behind the verdicts
    expect(byId["1"].measured.mostContendedGiant).toBe("softnet_lock");
    expect(byId.crr.measured.pserializeRevalidationsPerSecond).toBeGreaterThan(0);
    expect(byId.crr.measured.smrLazyRevalidationsPerSecond).toBe(0);
    expect(byId["5"].measured["netbsd.watchdogMisses"]).toBeGreaterThan(0);
    expect(byId["5"].flipsWhen.join()).toMatch(/TCP_INPUT_CYCLES/);
    expect(byId.flows.measured.speedup).toBeGreaterThanOrEqual(1.5);
    expect(r.code).toBe(0);
  }, 180_000);

  it("reports a claim the lab does not show as not holding, with why, and exits 1", () => {
    const r = smpnetWith({ timeout: 110_000 }, "claims", "--claim", "2");
    expect(r.stdout).toMatch(/topSpinLock: so_lock\n {4}topSpinCallers: tcp_input, sosend/);
    expect(r.stdout).toMatch(/claim 2: .*\n {2}the seed: One adaptive mutex per socket/);
    expect(r.stdout).toMatch(/holds: no \(.+\)/);
    expect(r.stdout).toMatch(/what the model does not show: /);
    expect(r.stdout).toMatch(/0 of 1 claims hold\./);
    expect(r.code).toBe(1);
  }, 120_000);

  it("refuses an unknown claim in one line", () => {
    const r = smpnet("claims", "--claim", "7");
    expect(r.stderr.trim().split("\n")).toEqual([
      'smpnet: --claim: expected one of 1, 2, 3, 4, 5, 6, flows, crr, got "7"',
    ]);
    expect(r.code).not.toBe(0);
  });
});
