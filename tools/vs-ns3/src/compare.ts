/*
 * The comparison: each scenario (a clean link, scripted drops, random loss)
 * run by the lab and by ns-3 for the same simulated time, one after the
 * other so neither measures the other's load; the clean runs give the
 * speed line (one stream, both timed in this run): the best of three clean
 * runs of each simulator, taken in turns, so that one slow moment of a
 * shared machine does not decide the ratio. Each lab setup first
 * runs 0.1 simulated seconds untimed, as the benchmarks warm up, so its
 * figure is not the JIT compiling its packet path (ns-3 comes compiled):
 * the whole ER-4 kernel has code of its own (its policy's lock points, the
 * reclamation scheme, the costs' events) that the network alone never runs.
 */

/** Simulated seconds of the lab's untimed warm-up. */
const WARM_UP_S = 0.1;
/** Clean runs of each simulator (and of the whole-kernel lab) timed for the speed line. */
const SPEED_RUNS = 3;

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
  runLab(scenarios(o)[0]!, Math.min(WARM_UP_S, o.seconds));
  const runs = scenarios(o)
    .filter((s) => only?.(s) ?? true)
    .map((s) => ({ scenario: s.name, lab: runLab(s, o.seconds), ns3: runNs3(s, o.seconds) }));
  const clean = scenarios(o)[0]!;
  const timed = runs.find((r) => r.scenario === clean.name);
  let lab = timed?.lab.simSecondsPerWallSecond ?? 0;
  let ns3 = timed?.ns3.simSecondsPerWallSecond ?? 0;
  for (let i = timed === undefined ? 0 : 1; i < SPEED_RUNS; i++) {
    lab = Math.max(lab, runLab(clean, o.seconds).simSecondsPerWallSecond);
    ns3 = Math.max(ns3, runNs3(clean, o.seconds).simSecondsPerWallSecond);
  }
  runLab(clean, Math.min(WARM_UP_S, o.seconds), "er4-split");
  let er4Split = 0;
  for (let i = 0; i < SPEED_RUNS; i++) {
    er4Split = Math.max(er4Split, runLab(clean, o.seconds, "er4-split").simSecondsPerWallSecond);
  }
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
