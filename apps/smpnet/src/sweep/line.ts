/*
 * One line of a sweep's output: a run's result and its place in the sweep
 * (which matrix, which run of how many), as one JSON object.
 */

import { ReportError, type RunResult, validateResult } from "@smpnet/report";
import { UsageError } from "../errors.js";

export interface SweepLine {
  /** The matrix's hash: lines of one sweep carry the same. */
  sweep: string;
  index: number;
  runs: number;
  result: RunResult;
}

export function parseResultLine(text: string, where: string): SweepLine {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    throw new UsageError(`${where}: not a JSON line; give the output of smpnet sweep`);
  }
  const o = x as Partial<SweepLine>;
  if (
    typeof o !== "object" ||
    o === null ||
    typeof o.sweep !== "string" ||
    !Number.isInteger(o.index) ||
    !Number.isInteger(o.runs)
  ) {
    throw new UsageError(
      `${where}: not a sweep result (sweep, index, runs, result); give the output of smpnet sweep`,
    );
  }
  try {
    return { sweep: o.sweep, index: o.index!, runs: o.runs!, result: validateResult(o.result) };
  } catch (e) {
    if (e instanceof ReportError) throw new UsageError(`${where}: ${e.message}`);
    throw e;
  }
}
