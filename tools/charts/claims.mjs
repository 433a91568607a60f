// Draws each claim of `smpnet claims --json` as an SVG bar chart of the figures it compares, titled
// with its verdict. Usage: node claims.mjs <claims JSON lines> <output folder>
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vega from "vega";
import { compile } from "vega-lite";

// per claim: the measure's title and, per bar, its label and the field of `measured`
const CHARTS = {
  1: ["throughput, Mbit/s", { giant: "giantMbps", "net-mpsafe": "netMpsafeMbps" }],
  2: [
    "SOFTINT_NET + spin, share of the machine",
    { "solock-v1": "softnetWithSpinShare", split: "splitSoftnetWithSpinShare" },
  ],
  3: [
    "CPU ns per byte sent",
    {
      giant: "giantCpuNsPerByte",
      "net-mpsafe": "net-mpsafeCpuNsPerByte",
      "solock-v1": "solock-v1CpuNsPerByte",
      split: "splitCpuNsPerByte",
    },
  ],
  4: [
    "pcb churn, ER-4: writer wait p50, ns",
    Object.fromEntries(
      ["pserialize", "pserialize-typesafe", "epoch", "smr", "smr-lazy"].map((v) => [
        v,
        `churn.${v}.writerWaitNsP50`,
      ]),
    ),
  ],
  5: [
    "watchdog misses in 2 s",
    Object.fromEntries(["netbsd", "budget", "threaded"].map((v) => [v, `${v}.watchdogMisses`])),
  ],
  flows: ["iperf3 -P 4 aggregate, Mbit/s", { giant: "giantMbps", split: "splitMbps" }],
  crr: [
    "TCP_CRR: revalidations per second",
    {
      "pserialize + PR_PSERIALIZE": "pserializeRevalidationsPerSecond",
      "smr-lazy + set_smr": "smrLazyRevalidationsPerSecond",
    },
  ],
};

const [input, outDir] = process.argv.slice(2);
if (!input || !outDir) {
  console.error("usage: node claims.mjs <smpnet claims --json output> <output folder>");
  process.exit(2);
}
const claims = readFileSync(input, "utf8")
  .split("\n")
  .filter((l) => l.startsWith("{"))
  .map((l) => JSON.parse(l));
mkdirSync(outDir, { recursive: true });
let n = 0;
for (const c of claims) {
  const chart = CHARTS[c.claim];
  if (chart === undefined) continue;
  const [title, bars] = chart;
  const values = Object.entries(bars).map(([label, field]) => ({
    label,
    value: c.measured[field],
  }));
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: `claim ${c.claim}: ${c.title}`, subtitle: `holds: ${c.holds ? "yes" : "no"}` },
    width: 360,
    height: 180,
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "label", type: "nominal", title: null, sort: null },
      x: { field: "value", type: "quantitative", title },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  writeFileSync(join(outDir, `claim-${c.claim}.svg`), await view.toSVG());
  n++;
}
console.log(`${n} charts in ${outDir}`);
