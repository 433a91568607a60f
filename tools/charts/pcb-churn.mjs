// Draws the pcb-churn experiment as SVG: one chart per measure against the churn rate,
// a line per variant, one panel per profile. Input: `pnpm bench` output of packages/core (JSON
// lines; other lines are skipped). Usage: node pcb-churn.mjs <bench output> <output folder>
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vega from "vega";
import { compile } from "vega-lite";

const MEASURES = {
  lookupsPerSimSecondPerCpu: "lookups per simulated second per CPU",
  readNsPerSection: "read section, ns",
  writerWaitNsP50: "writer wait p50, ns",
  writerWaitNsP99: "writer wait p99, ns",
  xcallsPerSimSecond: "cross-calls per simulated second",
  destructBatchesPerSimSecond: "destruct batches per simulated second",
  revalidationFailuresPerSimSecond: "revalidation failures per simulated second",
  pendingBytesPeak: "bytes awaiting reuse, peak",
  pendingBytesMean: "bytes awaiting reuse, mean",
};

const [input, outDir] = process.argv.slice(2);
if (!input || !outDir) {
  console.error("usage: node pcb-churn.mjs <bench output file> <output folder>");
  process.exit(2);
}
const rows = readFileSync(input, "utf8")
  .split("\n")
  .filter((l) => l.startsWith("{"))
  .map((l) => JSON.parse(l))
  .filter((r) => r.name === "pcb-churn");
if (rows.length === 0) {
  console.error(
    `${input}: no pcb-churn lines; run pnpm bench in packages/core and save its output`,
  );
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
for (const [field, title] of Object.entries(MEASURES)) {
  const positive = rows.every((r) => r[field] > 0);
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `pcb churn: ${title}`,
    data: { values: rows.map((r) => ({ ...r, panel: `${r.profile} (${r.cpus} CPUs)` })) },
    facet: { column: { field: "panel", title: null } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: "line", point: true },
      encoding: {
        x: {
          field: "churnPerSecond",
          type: "quantitative",
          scale: { type: "log" },
          title: "churn per simulated second",
        },
        y: {
          field,
          type: "quantitative",
          title,
          scale: positive ? { type: "log" } : { type: "symlog" },
        },
        color: { field: "variant", type: "nominal" },
      },
    },
    resolve: { scale: { y: "shared" } },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  writeFileSync(join(outDir, `pcb-churn-${field}.svg`), await view.toSVG());
}
console.log(`${Object.keys(MEASURES).length} charts in ${outDir}`);
