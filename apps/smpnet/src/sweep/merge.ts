/*
 * `smpnet merge`: joins the outputs of a sweep's shards into what one
 * unsharded sweep prints: every run once, in matrix order. Lines from
 * different sweeps, a run twice, or a run missing are refused by name.
 */
import { UsageError } from "../errors.js";
import { readUserFile } from "../user-file.js";
import { parseResultLine, type SweepLine } from "./line.js";

const SHARD_FILE = {
  give: "a file of JSON lines written by smpnet sweep",
  maxBytes: 1 << 30,
  tooLarge: "a sweep's output has one line per run",
};

export function mergeShards(files: readonly string[]): SweepLine[] {
  const byIndex = new Map<number, SweepLine>();
  let first: { sweep: string; runs: number; file: string } | undefined;
  for (const file of files) {
    const lines = readUserFile(file, SHARD_FILE).split("\n");
    lines.forEach((text, n) => {
      if (text.trim() === "") return;
      const line = parseResultLine(text, `${file}:${n + 1}`);
      if (first === undefined) first = { sweep: line.sweep, runs: line.runs, file };
      else if (line.sweep !== first.sweep) {
        throw new UsageError(
          `${file}:${n + 1}: from another sweep (matrix ${line.sweep.slice(0, 12)}, not ${first.sweep.slice(0, 12)} as ${first.file}); merge the shards of one matrix`,
        );
      }
      const seen = byIndex.get(line.index);
      if (seen !== undefined) {
        throw new UsageError(
          `${file}:${n + 1}: run ${line.index} appears twice; give each shard's output once`,
        );
      }
      byIndex.set(line.index, line);
    });
  }
  if (first === undefined)
    throw new UsageError("merge: the files hold no results; give the shards' outputs");
  const missing: number[] = [];
  for (let i = 0; i < first.runs; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) {
    throw new UsageError(
      `merge: runs ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""} of ${first.runs} are missing; give every shard's output (a shard that failed must be run again)`,
    );
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}
