/*
 * One run: assemble the kernel, run the workload on it, keep what it
 * printed and what the machine measured, with the hashes that let
 * `--replay` check the run again.
 */
import { assembleKernel } from "../kernel-file/assemble.js";
import type { ResolvedKernelSpec } from "../kernel-file/spec.js";
import { makeResult, type RunResult } from "../result/result.js";
import { runWorkload } from "./workload.js";

export function runOne(kernel: ResolvedKernelSpec, workload: string[], seed: number): RunResult {
  const k = assembleKernel(kernel, seed);
  const out = runWorkload(k, workload);
  return makeResult(kernel, workload, seed, {
    stdout: out.stdout,
    stderr: out.stderr,
    status: out.status,
    simNs: k.sim.now,
  });
}
