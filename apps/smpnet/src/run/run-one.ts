/*
 * One run: assemble the kernel, watch it with lockstat and @smpnet/report's
 * collector, run the workload, and keep everything as one result whose
 * kernel and workload carry their own hashes, so `--replay` can run it
 * again and a sweep can tell its runs apart.
 */

import { createHash } from "node:crypto";
import { lockstat_enable, xc_broadcasts } from "@smpnet/core";
import type { NetKernel } from "@smpnet/netinet";
import { pcbReader } from "@smpnet/policies";
import { Collector, canonicalJson, type RunResult } from "@smpnet/report";
import { assembleKernel, kernelLabel } from "../kernel-file/assemble.js";
import type { ResolvedKernelSpec } from "../kernel-file/spec.js";
import { runWorkload } from "./workload.js";

/** Trace events kept per run: a few megabytes of JSON, enough for a window of a busy run. */
const TRACE_EVENTS = 20_000;

function sha256(x: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(x)).digest("hex")}`;
}

/** A protocol statistics object as plain numbers. */
function counters(o: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === "number") out[k] = v;
  return out;
}

/**
 * One run of `workload` on the kernel `spec` describes. `watch` sees the
 * assembled kernel before the workload starts (the bench samples the heap
 * from it).
 */
export function runOne(
  spec: ResolvedKernelSpec,
  workload: string[],
  seed: number,
  watch?: (k: NetKernel) => void,
): RunResult {
  const kernel = { ...spec, name: kernelLabel(spec) };
  const k = assembleKernel(kernel, seed);
  const stat = lockstat_enable(k.dut.host);
  const collector = new Collector(k.sim, {
    hosts: [k.dut.host],
    trace: { maxEvents: TRACE_EVENTS },
  });
  watch?.(k);
  const out = runWorkload(k, workload);
  const reader = pcbReader(k.dut);
  return collector.finish({
    kernel: { ...kernel, hash: sha256(kernel) },
    workload: { name: workload[0]!, args: workload.slice(1), hash: sha256(workload) },
    seed,
    output: { stdout: out.stdout, stderr: out.stderr, status: out.status },
    lockstat: stat.records(),
    reclamation: {
      scheme: spec.reclamation ?? "none",
      // the pcb lookups' read side, where the policy has one
      crossCalls: xc_broadcasts(k.dut.host),
      ...(reader === null
        ? {}
        : {
            sections: reader.rc.stats.sections,
            readNsPerSection: reader.rc.stats.readNsPerSection(),
            revalidations: reader.stats.revalidations,
          }),
    },
    integrity: { ok: out.status === 0 },
    stats: {
      tcpstat: counters(k.dut.tcpstat),
      udpstat: counters(k.dut.udpstat),
      ipstat: counters(k.dut.ipstat),
    },
  });
}

/** The kernel a result ran, as a spec to run it again. */
export function specOf(result: RunResult): ResolvedKernelSpec {
  const { hash: _h, ...spec } = result.kernel;
  return spec as unknown as ResolvedKernelSpec;
}
