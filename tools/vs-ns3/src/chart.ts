/*
 * The comparison as SVG, drawn with Vega-Lite in Node as tools/charts does
 * for pcb-churn: the congestion window of both simulators over time, one
 * panel per scenario (log scale: ns-3's window reaches megabytes, the
 * lab's stays near its buffers), and goodput beside recovery counts.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export interface Series {
  scenario: string;
  simulator: string;
  cwnd: readonly [number, number][];
  goodputMbps: number;
  recoveries: number;
}

/** Buckets per trace: each keeps its lowest and highest point, so every fall survives. */
const BUCKETS = 600;

/** A trace thinned to at most 2 x BUCKETS points, in time order. */
export function thin(cwnd: readonly [number, number][], seconds: number): [number, number][] {
  const out: [number, number][] = [];
  let bucket = -1;
  let lo: [number, number] | null = null;
  let hi: [number, number] | null = null;
  const flush = () => {
    if (lo === null || hi === null) return;
    if (lo === hi) out.push(lo);
    else out.push(...(lo[0] <= hi[0] ? [lo, hi] : [hi, lo]));
  };
  for (const p of cwnd) {
    const b = Math.floor((p[0] / seconds) * BUCKETS);
    if (b !== bucket) {
      flush();
      bucket = b;
      lo = hi = p;
    } else {
      if (p[1] < lo![1]) lo = p;
      if (p[1] > hi![1]) hi = p;
    }
  }
  flush();
  return out;
}

async function svg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}

/** Writes cwnd.svg and goodput.svg into `dir`; returns their paths. */
export async function drawCharts(
  dir: string,
  series: Series[],
  seconds: number,
): Promise<string[]> {
  const points = series.flatMap((s) =>
    thin(s.cwnd, seconds).map(([t, w]) => ({
      scenario: s.scenario,
      simulator: s.simulator,
      t,
      kib: w / 1_024,
    })),
  );
  const cwnd: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Congestion window: the lab's NewReno beside ns-3's (classic recovery)",
    data: { values: points },
    facet: { row: { field: "scenario", title: null } },
    spec: {
      width: 720,
      height: 180,
      mark: { type: "line", interpolate: "step-after", strokeWidth: 1 },
      encoding: {
        x: { field: "t", type: "quantitative", title: "simulated seconds" },
        y: { field: "kib", type: "quantitative", title: "cwnd, KiB", scale: { type: "log" } },
        color: { field: "simulator", type: "nominal" },
      },
    },
  };
  const bars: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Goodput (941.5 Mbit/s is 1 GbE's limit), with recovery episodes",
    data: {
      values: series.map((s) => ({
        scenario: s.scenario,
        simulator: s.simulator,
        goodputMbps: s.goodputMbps,
        label: `${s.goodputMbps.toFixed(1)} (${s.recoveries} rec.)`,
      })),
    },
    width: 480,
    height: 160,
    encoding: {
      y: { field: "scenario", type: "nominal", title: null },
      yOffset: { field: "simulator" },
      x: { field: "goodputMbps", type: "quantitative", title: "Mbit/s" },
      color: { field: "simulator", type: "nominal" },
    },
    layer: [
      { mark: "bar" },
      {
        mark: { type: "text", align: "left", dx: 3 },
        encoding: { text: { field: "label" } },
      },
    ],
  };
  const files = [join(dir, "cwnd.svg"), join(dir, "goodput.svg")];
  writeFileSync(files[0]!, await svg(cwnd));
  writeFileSync(files[1]!, await svg(bars));
  return files;
}
