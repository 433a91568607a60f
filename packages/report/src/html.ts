/*
 * A self-contained HTML report (one file, works offline) of one run or of
 * several side by side: a summary table and plots drawn in the browser by
 * Observable Plot (with d3), both inlined: throughput over time per kernel,
 * the per-CPU time split as stacked bars, lock spin by lock and caller,
 * callout lateness, grace-period latency, and the congestion window over
 * time. The page carries only what the plots need, not the trace.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { ReportError } from "./errors.js";
import { escapeXml } from "./flamegraph.js";
import type { Histogram, RunResult } from "./result.js";

const require = createRequire(import.meta.url);

let libs: string | undefined;

/** d3 and Observable Plot's UMD builds, read once from their packages. */
function libraries(): string {
  libs ??= [
    join(dirname(require.resolve("d3")), "d3.min.js"),
    join(dirname(require.resolve("@observablehq/plot")), "../dist/plot.umd.min.js"),
  ]
    .map((f) => readFileSync(f, "utf8").replaceAll("</script", "<\\/script"))
    .map((js) => `<script>${js}</script>`)
    .join("\n");
  return libs;
}

/** The plots, by id and title, in page order. */
export const PLOTS = [
  ["throughput", "Throughput over time (Mbit/s, user reads)"],
  ["timesplit", "Per-CPU time split (ms)"],
  ["lockspin", "Lock spin by lock and caller (ms)"],
  ["callouts", "Callout lateness (count per bucket)"],
  ["grace", "Grace-period latency (count per bucket)"],
  ["cwnd", "Congestion window over time (bytes)"],
] as const;

function bucketRows(run: string, h: Histogram) {
  return h.buckets.map((b) => ({ run, fromNs: b.fromNs, count: b.count }));
}

/** The data the page's plots draw, run by run. */
function plotData(results: readonly RunResult[]) {
  const names = results.map((r, i) => `${i + 1}: ${r.kernel.name}`);
  return results.flatMap((r, i) => {
    const run = names[i]!;
    const t = r.series.throughput;
    return [
      ...t.bytes.map((b, k) => ({
        plot: "throughput",
        run,
        tMs: ((k + 1) * t.binNs) / 1e6,
        mbps: (b * 8e3) / t.binNs,
      })),
      ...r.cpus.flatMap((c) =>
        Object.entries(c.split)
          .filter(([cls, ns]) => cls !== "idle" && ns > 0)
          .map(([cls, ns]) => ({
            plot: "timesplit",
            run,
            cpu: `${c.host}/cpu${c.cpu}`,
            cls,
            ms: ns / 1e6,
          })),
      ),
      ...r.lockstat
        .filter((l) => l.event.endsWith("spin") && l.count > 0)
        .map((l) => ({
          plot: "lockspin",
          run,
          site: `${l.lock} ← ${l.caller}`,
          ms: l.timeNs / 1e6,
        })),
      ...bucketRows(run, r.callouts.lateness).map((b) => ({ plot: "callouts", ...b })),
      ...bucketRows(run, r.reclamation.gracePeriod).map((b) => ({ plot: "grace", ...b })),
      ...Object.entries(r.series.counters)
        .filter(([name]) => name.endsWith(" cwnd"))
        .flatMap(([name, pts]) =>
          pts.map(([tNs, v]) => ({
            plot: "cwnd",
            run,
            series: `${run} ${name}`,
            tMs: tNs / 1e6,
            bytes: v,
          })),
        ),
    ];
  });
}

/** The page's own script: one Plot per figure; "none recorded" where a run had nothing to draw. */
const DRAW = `
const rows = JSON.parse(document.getElementById("data").textContent);
const of = (id) => rows.filter((r) => r.plot === id);
const bucket = (ns) => ns < 1000 ? ns + " ns" : ns < 1e6 ? ns / 1e3 + " µs" : ns / 1e6 + " ms";
const hist = (d) => ({ marginBottom: 60, x: { type: "band", tickRotate: -30, tickFormat: bucket, label: "bucket from" }, fx: { label: null }, marks: [Plot.barY(d, { fx: "run", x: "fromNs", y: "count", fill: "run", tip: true }), Plot.ruleY([0])] });
const specs = {
  throughput: (d) => ({ x: { label: "time (ms)" }, y: { label: "Mbit/s", grid: true }, color: { legend: true }, marks: [Plot.lineY(d, { x: "tMs", y: "mbps", stroke: "run" }), Plot.ruleY([0])] }),
  timesplit: (d) => ({ marginBottom: 60, x: { tickRotate: -30, label: null }, fx: { label: null }, y: { label: "ms", grid: true }, color: { legend: true }, marks: [Plot.barY(d, { fx: "run", x: "cpu", y: "ms", fill: "cls", tip: true }), Plot.ruleY([0])] }),
  lockspin: (d) => ({ marginLeft: 220, y: { axis: null }, fy: { label: null, axis: "left" }, x: { label: "ms", grid: true }, color: { legend: true }, marks: [Plot.barX(d, { fy: "site", y: "run", x: "ms", fill: "run", tip: true }), Plot.ruleX([0])] }),
  callouts: hist,
  grace: hist,
  cwnd: (d) => ({ marginLeft: 70, x: { label: "time (ms)" }, y: { label: "bytes", grid: true }, color: { legend: true }, marks: [Plot.line(d, { x: "tMs", y: "bytes", stroke: "series", curve: "step-after" })] }),
};
for (const fig of document.querySelectorAll("figure[data-plot]")) {
  const id = fig.dataset.plot;
  const d = of(id);
  const spec = d.length > 0 ? specs[id](d) : { marks: [Plot.text(["none recorded in these runs"], { frameAnchor: "middle" })] };
  fig.append(Plot.plot({ width: 900, ...spec }));
}
`;

function summary(results: readonly RunResult[]): string {
  const head = [
    "#",
    "kernel",
    "workload",
    "elapsed (ms)",
    "busy (ms)",
    "watchdog misses",
    "integrity",
    "hash",
  ];
  const rows = results.map((r, i) => [
    String(i + 1),
    r.kernel.name,
    [r.workload.name, ...r.workload.args].join(" "),
    (r.elapsedNs / 1e6).toFixed(3),
    (r.cpus.reduce((s, c) => s + c.busyNs, 0) / 1e6).toFixed(3),
    String(r.watchdog.misses),
    r.integrity.ok ? "whole" : "BROKEN",
    r.hash.slice(0, 19),
  ]);
  const tr = (cells: string[], tag: string) =>
    `<tr>${cells.map((c) => `<${tag}>${escapeXml(c)}</${tag}>`).join("")}</tr>`;
  return `<table>${tr(head, "th")}${rows.map((r) => tr(r, "td")).join("")}</table>`;
}

export function htmlReport(results: readonly RunResult[]): string {
  if (results.length === 0) throw new ReportError("htmlReport: give at least one result");
  const data = JSON.stringify(plotData(results)).replaceAll("</", "<\\/");
  const title = `smpnet: ${results.map((r) => r.kernel.name).join(" vs ")}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}figure{margin:2em 0}</style>
</head><body>
<h1>${escapeXml(title)}</h1>
${summary(results)}
${PLOTS.map(([id, t]) => `<figure data-plot="${id}"><figcaption><h2>${escapeXml(t)}</h2></figcaption></figure>`).join("\n")}
<script type="application/json" id="data">${data}</script>
${libraries()}
<script>${DRAW}</script>
</body></html>
`;
}
