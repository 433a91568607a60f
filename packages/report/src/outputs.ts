/*
 * Every output of a run, made from its result alone: what `smpnet report`
 * writes into a folder.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { flameGraphSvg } from "./flamegraph.js";
import { htmlReport } from "./html.js";
import { formatLockstat } from "./lockstat.js";
import type { RunResult } from "./result.js";

/** The files writeReport makes, by name. */
export function reportFiles(result: RunResult): Record<string, string> {
  const title = `${result.kernel.name}: ${[result.workload.name, ...result.workload.args].join(" ")}`;
  return {
    "lockstat.txt": formatLockstat(result.lockstat, { elapsedNs: result.elapsedNs }),
    "trace.json": `${JSON.stringify(result.trace)}\n`,
    "stacks.folded": result.folded.map((l) => `${l}\n`).join(""),
    "flamegraph.svg": flameGraphSvg(result.folded, title),
    "report.html": htmlReport([result]),
  };
}

/** Writes every output of `result` into `dir` (made if missing); returns the paths written. */
export function writeReport(result: RunResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(reportFiles(result)).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
