/*
 * Kernels for the workload tests (assembled by @smpnet/policies, a
 * test-only dependency), the reference outputs of the real tools, and the
 * two comparisons the tests make: JSON key paths with their value types,
 * and the layout of text lines.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type NetKernel,
  type NetStack,
  netProbes,
  type SysctlPreset,
  type socket,
  TCPS_ESTABLISHED,
  type tcpcb,
  type WireConfig,
} from "@smpnet/netinet";
import { kernel } from "@smpnet/policies";
import { roundNetCosts, roundNic, roundProfile } from "@smpnet/sim";

export function testKernel(
  o: { ideal?: boolean; seed?: number; wire?: Partial<WireConfig>; defaults?: SysctlPreset } = {},
): NetKernel {
  return kernel({
    ...(o.defaults === undefined ? {} : { defaults: o.defaults }),
    seed: o.seed ?? 1,
    profile: roundProfile(4),
    nic: roundNic(),
    netCosts: roundNetCosts(),
    softint: { variant: "netbsd" },
    policy: "giant",
    ideal: o.ideal ?? false,
    wire: o.wire ?? {},
  });
}

/**
 * The kernel a reference output's flags run on in the tests: ideal CPUs,
 * and for TCP a 100 Mbit/s wire, so a simulated second costs little.
 */
export function referenceKernel(flags: readonly string[]): NetKernel {
  return testKernel({ ideal: true, wire: flags.includes("-u") ? {} : { speedMbps: 100 } });
}

/**
 * The connections of `stack` as they become established, by socket: their
 * tcpcbs outlive the close, so a test can read their counters afterwards.
 */
export function watchConnections(k: NetKernel, stack: NetStack): Map<socket, tcpcb> {
  const out = new Map<socket, tcpcb>();
  netProbes(k.sim).tcp_state.subscribe((_t, host, id, _from, to) => {
    if (host !== stack.host || to !== TCPS_ESTABLISHED) return;
    for (const chain of stack.tcbtable.byConnect) {
      for (const inp of chain) {
        if (inp.inp_socket.id === id && inp.inp_ppcb !== null)
          out.set(inp.inp_socket, inp.inp_ppcb);
      }
    }
  });
  return out;
}

/** Whether sequence number `seq` lies in [from, to) (modulo 2^32). */
export function seqIn(seq: number, from: number, to: number): boolean {
  return (seq - from) >>> 0 < (to - from) >>> 0;
}

const REFERENCE = join(import.meta.dirname, "../../../../shared/reference");

export function reference(tool: "iperf3" | "netperf", file: string): string {
  return readFileSync(join(REFERENCE, tool, file), "utf8");
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "number" : "number";
  return typeof v;
}

/** Every key path of a JSON value with its type; array elements share one path ("[]"). */
export function schema(
  v: unknown,
  path = "",
  out = new Map<string, Set<string>>(),
): Map<string, Set<string>> {
  const add = (p: string, t: string) => {
    const s = out.get(p) ?? new Set<string>();
    s.add(t);
    out.set(p, s);
  };
  add(path || ".", kind(v));
  if (Array.isArray(v)) for (const x of v) schema(x, `${path}[]`, out);
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) schema(x, `${path}.${k}`, out);
  }
  return out;
}

/** The paths whose presence or type differs, one line each ("- path: type" only in real, "+" only in ours). */
export function schemaDiff(real: unknown, ours: unknown): string[] {
  const a = schema(real);
  const b = schema(ours);
  const out: string[] = [];
  for (const [p, t] of a) {
    const u = b.get(p);
    if (u === undefined) out.push(`- ${p}: ${[...t].join("|")}`);
    else if ([...t].join("|") !== [...u].join("|"))
      out.push(`~ ${p}: ${[...t].join("|")} vs ${[...u].join("|")}`);
  }
  for (const [p, t] of b) if (!a.has(p)) out.push(`+ ${p}: ${[...t].join("|")}`);
  return out;
}

/**
 * A line's layout: its fields in order, numbers as "9", unit labels as
 * "U", host names and addresses as "H" (the padding of a number depends on
 * its digits, so runs of spaces count as one and the ends are trimmed);
 * consecutive lines of the same layout (the intervals) collapse into one.
 */
export function layout(text: string): string[] {
  const lines = text
    .replace(/\n$/, "")
    .split("\n")
    .map((l) =>
      l
        .replace(/\b(\d{1,3}\.){3}\d{1,3}\b|\bdut\b|\bpeer\b/g, "H")
        .replace(/\d+(\.\d+)?/g, "9")
        .replace(/[KMGT]?(Bytes|bits)/g, "U")
        .replace(/ +/g, " ")
        .trim(),
    );
  return lines.filter((l, i) => i === 0 || l !== lines[i - 1]);
}
