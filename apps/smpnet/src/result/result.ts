/*
 * What one run leaves: what was run (kernel, workload, seed, each with its
 * hash), what came out, and the hash of the whole. `--replay` reruns the
 * first part and compares the second; a result whose hash does not match
 * its contents was edited and is refused.
 */
import { UsageError } from "../errors.js";
import type { ResolvedKernelSpec } from "../kernel-file/spec.js";
import { sha256 } from "./hash.js";

export interface RunResult {
  kernel: ResolvedKernelSpec;
  workload: string[];
  seed: number;
  kernelHash: string;
  workloadHash: string;
  /** The workload's report and the machine's figures. */
  output: unknown;
  /** SHA-256 of all of the above, canonical JSON. */
  hash: string;
}

export function makeResult(
  kernel: ResolvedKernelSpec,
  workload: string[],
  seed: number,
  output: unknown,
): RunResult {
  const body = {
    kernel,
    workload,
    seed,
    kernelHash: sha256(kernel),
    workloadHash: sha256(workload),
    output,
  };
  return { ...body, hash: sha256(body) };
}

export function checkResult(x: unknown, where: string): RunResult {
  const r = x as Partial<RunResult>;
  if (
    typeof r !== "object" ||
    r === null ||
    typeof r.kernel !== "object" ||
    !Array.isArray(r.workload) ||
    typeof r.seed !== "number" ||
    typeof r.hash !== "string"
  ) {
    throw new UsageError(`${where}: not a run result (kernel, workload, seed, output, hash)`);
  }
  const { hash, ...body } = r as RunResult;
  if (sha256(body) !== hash) {
    throw new UsageError(`${where}: the result's hash does not match its contents (edited or cut short)`);
  }
  return r as RunResult;
}
