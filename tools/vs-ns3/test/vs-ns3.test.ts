/*
 * What the netinet README says of the lab beside ns-3, checked on a short
 * run (0.2 simulated seconds of the clean link and of one scripted drop):
 * both reach 1 GbE's goodput limit, both recover from the drop by fast
 * recovery, and the lab's window halves there. Skipped only when Debian's
 * ns-3 cannot be installed (no root, no network); a missing peer folder,
 * or a peer that fails to build with ns-3 present, fails the test.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compare } from "../src/compare.js";
import { buildNs3, Ns3BuildError, ns3Episodes, ns3Installed } from "../src/ns3.js";
import { GOODPUT_LIMIT_MBPS, LINK } from "../src/scenario.js";

let unavailable = "";
try {
  buildNs3();
} catch (e) {
  if (!(e instanceof Ns3BuildError) || ns3Installed()) throw e;
  unavailable = `Debian's libns3-dev could not be installed, so ns-3 is not run: ${(e as Error).message}`;
  console.warn(`vs-ns3 comparison skipped: ${unavailable}`);
}

describe.skipIf(unavailable !== "")("the lab beside ns-3 (0.2 simulated s)", () => {
  const c = compare({ seconds: 0.2, drop: [1_000], loss: 0.001, seed: 1 }, (s) => s.loss === 0);
  const [clean, drop] = c.results;

  it("reaches 941.5 Mbit/s within 1% in both on the clean link", () => {
    expect(GOODPUT_LIMIT_MBPS).toBeCloseTo(941.48, 2);
    for (const r of [clean!.lab, clean!.ns3]) {
      expect(Math.abs(r.goodputMbps / GOODPUT_LIMIT_MBPS - 1)).toBeLessThan(0.01);
    }
    expect(clean!.lab.recoveries).toBe(0);
  });

  it("starts from NetBSD's initial window (4380 bytes) and ns-3's (10 segments)", () => {
    expect(clean!.lab.initialCwndBytes).toBe(4_380);
    expect(clean!.ns3.initialCwndBytes).toBe(10 * LINK.mss);
  });

  it("recovers from the scripted drop by one fast recovery in both, no timeout", () => {
    for (const r of [drop!.lab, drop!.ns3]) {
      expect(r.recoveries).toBe(1);
      expect(r.timeouts).toBe(0);
      expect(r.firstRecovery!.durationMs).toBeGreaterThan(0);
    }
  });

  it("halves the window at the drop (ssthresh half the window, whole segments)", () => {
    for (const r of [drop!.lab, drop!.ns3]) {
      const f = r.firstRecovery!;
      // the window is sampled one ACK late, and the lab's snd_wnd moves with the receiver's buffer
      expect(f.ssthreshBytes / f.cwndBeforeBytes).toBeGreaterThan(0.45);
      expect(f.ssthreshBytes / f.cwndBeforeBytes).toBeLessThanOrEqual(0.55);
    }
    // NetBSD leaves recovery with no burst: with the flight below ssthresh
    // (no new data went out while it recovered) cwnd is the flight plus a
    // segment, and slow start climbs back to the halved window
    const run = c.runs[1]!.lab;
    const e = run.episodes[0]!;
    const rest = run.cwnd.filter(([t]) => t >= e.endS);
    expect(rest[0]![1]).toBeLessThan(e.ssthresh);
    const regained = rest.find(([, w]) => w >= e.ssthresh)!;
    expect(regained[1]).toBeLessThan(e.ssthresh + 2 * LINK.mss);
  });

  it("measures both speeds in the run, each the best of its clean runs", () => {
    expect(c.speed.lab).toBeGreaterThan(0);
    expect(c.speed.ns3).toBeGreaterThan(0);
    expect(c.speed.er4Split).toBeGreaterThan(0);
    // the clean run reported above is one of the timed ones: the best is at least it
    const timed = c.runs.find((r) => r.scenario === "clean")!;
    expect(c.speed.lab).toBeGreaterThanOrEqual(timed.lab.simSecondsPerWallSecond);
    expect(c.speed.ns3).toBeGreaterThanOrEqual(timed.ns3.simSecondsPerWallSecond);
  });
});

describe("episodes from ns-3's cwnd trace", () => {
  it("opens a recovery at a fall, closes it at the next rise, and counts a fall to one segment as a timeout", () => {
    const trace: [number, number][] = [
      [0, 14_480],
      [1, 28_960],
      [2, 14_480], // third duplicate ACK: ssthresh
      [3, 14_480],
      [4, 15_928], // recovery over, congestion avoidance
      [5, 1_448], // retransmit timeout
      [6, 2_896],
      [7, 2_000], // a second fall
    ];
    const { episodes, timeouts } = ns3Episodes(trace);
    expect(episodes).toEqual([
      { startS: 2, endS: 4, ssthresh: 14_480 },
      { startS: 7, endS: -1, ssthresh: 2_000 },
    ]);
    expect(timeouts).toBe(1);
  });
});

describe("pnpm vs-ns3 on bad input", () => {
  const cli = join(import.meta.dirname, "../dist/main.js");
  for (const [args, message] of [
    [["--time=abc"], /^--time: expected simulated seconds from 0.01 to 60, e.g. 1; got "abc"$/],
    [["--drop=5,0"], /^--drop: expected data-segment indices from 1/],
    [["--loss=1"], /^--loss: expected a loss rate above 0 and below 1/],
    [["--speed=3"], /^Unknown option '--speed'.*; usage: pnpm vs-ns3 /],
    [["--out=/dev/null/x"], /^--out: cannot make the folder \/dev\/null\/x \(.*\); name another$/],
  ] as const) {
    it(`${args.join(" ")}: one line naming the option, exit 2`, () => {
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
    });
  }
});
