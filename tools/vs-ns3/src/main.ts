#!/usr/bin/env node
/*
 * pnpm vs-ns3: the lab's TCP beside ns-3's on one link (issue 16, "Side by
 * side with ns-3"). Builds the ns-3 peer if needed, runs both in three
 * scenarios, writes the charts and the figures into a folder it prints,
 * and prints the lab's tcp-bulk line and the speed lines as JSON: the
 * network alone (tcp-bulk) and the whole ER-4 kernel under split (er4-split).
 */

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { drawCharts } from "./chart.js";
import { compare } from "./compare.js";
import { buildNs3, PEER_DIR } from "./ns3.js";

/** This machine's reference speed (shared/bench), printed as the benchmarks print it. */
const REF_HEAP = join(dirname(dirname(PEER_DIR)), "bench/ref-heap.js");

const USAGE =
  "usage: pnpm vs-ns3 [--time=<simulated s, default 1>] [--drop=<data segments, default 1000>] [--loss=<rate, default 0.001>] [--seed=<n>] [--out=<folder>]";

class BadInput extends Error {}

function number(name: string, v: string, ok: (x: number) => boolean, want: string): number {
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x) || !ok(x)) {
    throw new BadInput(`--${name}: expected ${want}; got "${v}"`);
  }
  return x;
}

function options(argv: string[]) {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        time: { type: "string", default: "1" },
        drop: { type: "string", default: "1000" },
        loss: { type: "string", default: "0.001" },
        seed: { type: "string", default: "1" },
        out: { type: "string" },
      },
    }));
  } catch (e) {
    throw new BadInput(`${(e as Error).message.split("\n")[0]}; ${USAGE}`);
  }
  const whole = (x: number) => Number.isInteger(x) && x >= 1;
  return {
    seconds: number(
      "time",
      values.time!,
      (x) => x >= 0.01 && x <= 60,
      "simulated seconds from 0.01 to 60, e.g. 1",
    ),
    drop: values
      .drop!.split(",")
      .map((d) =>
        number("drop", d, whole, "data-segment indices from 1, comma-separated, e.g. 1000,1001"),
      ),
    loss: number(
      "loss",
      values.loss!,
      (x) => x > 0 && x < 1,
      "a loss rate above 0 and below 1, e.g. 0.001",
    ),
    seed: number("seed", values.seed!, whole, "a whole number from 1 (ns-3's run number)"),
    out: values.out,
  };
}

async function main(argv: string[]): Promise<void> {
  const o = options(argv);
  const out = o.out ?? mkdtempSync(join(tmpdir(), "vs-ns3-"));
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new BadInput(
      `--out: cannot make the folder ${out} (${(e as Error).message}); name another`,
    );
  }
  buildNs3();
  const c = compare(o);
  const series = c.runs.flatMap((r, i) =>
    (["lab", "ns3"] as const).map((sim) => ({
      scenario: r.scenario,
      simulator: sim === "lab" ? "lab" : "ns-3.37",
      cwnd: r[sim].cwnd,
      goodputMbps: c.results[i]![sim].goodputMbps,
      recoveries: c.results[i]![sim].recoveries,
    })),
  );
  await drawCharts(out, series, o.seconds);
  const notes = [...new Set(c.runs.map((r) => r.lab.note).filter((n) => n !== ""))];
  const clean = c.results.find((r) => r.scenario === "clean")!;
  const lab = Number(c.speed.lab.toFixed(4));
  const tcpBulk = {
    name: "tcp-bulk",
    simSecondsPerWallSecond: lab,
    goodputMbps: clean.lab.goodputMbps,
  };
  const speed = {
    name: "vs-ns3",
    lab: "tcp-bulk",
    labSimSecondsPerWallSecond: lab,
    ns3SimSecondsPerWallSecond: Number(c.speed.ns3.toFixed(4)),
    ratio: Number((c.speed.lab / c.speed.ns3).toFixed(3)),
  };
  const wholeKernel = {
    name: "vs-ns3",
    lab: "er4-split",
    labSimSecondsPerWallSecond: Number(c.speed.er4Split.toFixed(4)),
    ns3SimSecondsPerWallSecond: speed.ns3SimSecondsPerWallSecond,
    ratio: Number((c.speed.er4Split / c.speed.ns3).toFixed(3)),
  };
  const figures = {
    seconds: o.seconds,
    labNotes: notes,
    results: c.results,
    speed: [speed, wholeKernel],
  };
  writeFileSync(join(out, "figures.json"), `${JSON.stringify(figures, null, 2)}\n`);
  for (const r of c.results) console.log(JSON.stringify({ name: "vs-ns3-scenario", ...r }));
  if (existsSync(REF_HEAP)) {
    console.log(execFileSync(process.execPath, [REF_HEAP], { encoding: "utf8" }).trim());
  }
  console.log(JSON.stringify(tcpBulk));
  console.log(JSON.stringify(speed));
  console.log(JSON.stringify(wholeKernel));
  for (const n of notes) console.log(`lab: ${n}`);
  console.log(`vs-ns3: cwnd.svg, goodput.svg and figures.json in ${out}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(e instanceof BadInput ? 2 : 1);
});
