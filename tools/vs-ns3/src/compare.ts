/*
 * The comparison: each scenario (a clean link, scripted drops, random loss)
 * run by the lab and by ns-3 for the same simulated time, one after the
 * other so neither measures the other's load. The clean runs give the speed
 * line (one stream, both timed in this run): the best of five clean runs
 * of each simulator, taken in turns, so that one slow moment of a shared
 * machine does not decide the ratio.
 *
 * Each lab setup is timed as it runs alone, as ns-3 is (a fresh process
 * per run) and as `pnpm bench` times it: first one whole untimed run, as
 * the benchmarks warm up, so its figure is not the JIT compiling its packet
 * path (ns-3 comes compiled; the first run of a new kernel is 25-35 % slower
 * while V8 re-optimises for its objects); then the timed clean runs, before
 * the scenarios with losses, whose recovery code would otherwise be
 * compiled into the stream's path (their paths re-optimised for both). The
 * whole ER-4 kernel has code of its own (its policy's lock points, the
 * reclamation scheme, the costs' events) and is warmed up the same way.
 */

/** Clean runs of each simulator (and of the whole-kernel lab) timed for the speed line. */
const SPEED_RUNS = 5;

import { runLab } from "./lab.js";
import { runNs3 } from "./ns3.js";
import type { Run, Scenario } from "./scenario.js";
import { type Summary, summarize } from "./summary.js";

export interface CompareOptions {
  seconds: number;
  drop: number[];
  loss: number;
  seed: number;
}

export interface ScenarioResult {
  scenario: string;
  lab: Summary;
  ns3: Summary;
}

export interface Comparison {
  results: ScenarioResult[];
  runs: { scenario: string; lab: Run; ns3: Run }[];
  /** Simulated s per wall s of the clean scenario, best of SPEED_RUNS: the lab's network alone, the lab's whole ER-4 kernel, ns-3. */
  speed: { lab: number; er4Split: number; ns3: number };
}

export function scenarios(o: CompareOptions): Scenario[] {
  return [
    { name: "clean", drop: [], loss: 0, seed: o.seed },
    { name: `drop ${o.drop.join(",")}`, drop: o.drop, loss: 0, seed: o.seed },
    { name: `loss ${o.loss}`, drop: [], loss: o.loss, seed: o.seed },
  ];
}

export function compare(o: CompareOptions, only?: (s: Scenario) => boolean): Comparison {
  const [clean, ...lossy] = scenarios(o) as [Scenario, ...Scenario[]];
  runLab(clean, o.seconds);
  const timed = {
    scenario: clean.name,
    lab: runLab(clean, o.seconds),
    ns3: runNs3(clean, o.seconds),
  };
  let lab = timed.lab.simSecondsPerWallSecond;
  let ns3 = timed.ns3.simSecondsPerWallSecond;
  for (let i = 1; i < SPEED_RUNS; i++) {
    lab = Math.max(lab, runLab(clean, o.seconds).simSecondsPerWallSecond);
    ns3 = Math.max(ns3, runNs3(clean, o.seconds).simSecondsPerWallSecond);
  }
  runLab(clean, o.seconds, "er4-split");
  let er4Split = 0;
  for (let i = 0; i < SPEED_RUNS; i++) {
    er4Split = Math.max(er4Split, runLab(clean, o.seconds, "er4-split").simSecondsPerWallSecond);
  }
  const runs = [
    ...((only?.(clean) ?? true) ? [timed] : []),
    ...lossy
      .filter((s) => only?.(s) ?? true)
      .map((s) => ({ scenario: s.name, lab: runLab(s, o.seconds), ns3: runNs3(s, o.seconds) })),
  ];
  return {
    results: runs.map((r) => ({
      scenario: r.scenario,
      lab: summarize(r.lab),
      ns3: summarize(r.ns3),
    })),
    runs,
    speed: { lab, er4Split, ns3 },
  };
}
