/*
 * Runs side by side, one row per kernel: what the workload reported, where
 * the system under test's CPUs spent their time (shares of all its CPU
 * time), the most-spun lock with its callers, how late callouts fired, and
 * watchdog misses. The same figures as data for --json.
 */
import type { Histogram, RunResult } from "@smpnet/report";
import Table from "cli-table3";

export interface CompareRow {
  kernel: string;
  /** The workload's headline figure as it printed it (iperf3's receiver bitrate, netperf's result). */
  figure: string;
  /** Shares of the system under test's CPU time, 0..1. */
  split: Record<"user" | "system" | "softnet" | "softother" | "intr" | "spin" | "idle", number>;
  topSpinLock: string | null;
  topSpinCallers: string[];
  spinNs: number;
  calloutLatenessP99Ns: number;
  watchdogMisses: number;
  status: number;
}

/**
 * iperf3's receiver bitrate, or netperf's result: the last column of its
 * widest all-numeric line (an RR test's remote socket sizes follow it on a
 * shorter line).
 */
export function headline(stdout: string): string {
  const rx = /([\d.]+ [KMG]?bits\/sec)\s+receiver/.exec(stdout);
  if (rx) return rx[1]!;
  let best: string[] = [];
  for (const line of stdout.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length > best.length && cols.every((c) => /^-?[\d.]+$/.test(c))) best = cols;
  }
  return best[best.length - 1] ?? "-";
}

/** The upper bound of the bucket holding the p-th quantile. */
export function quantileNs(h: Histogram, p: number): number {
  if (h.count === 0) return 0;
  let seen = 0;
  for (const b of h.buckets) {
    seen += b.count;
    // bucket 0 holds [0, 1): on time
    if (seen >= p * h.count) return 2 * b.fromNs;
  }
  return h.maxNs;
}

export function compareRow(r: RunResult): CompareRow {
  const total: Record<string, number> = {};
  for (const c of r.cpus)
    for (const [k, v] of Object.entries(c.split)) total[k] = (total[k] ?? 0) + v;
  const all = Object.values(total).reduce((a, b) => a + b, 0) || 1;
  const sum = (f: (k: string) => boolean) =>
    Object.entries(total)
      .filter(([k]) => f(k))
      .reduce((a, [, v]) => a + v, 0) / all;
  const soft = (k: string) => k.startsWith("soft");
  const spins = new Map<string, { ns: number; callers: Map<string, number> }>();
  for (const row of r.lockstat) {
    if (!/spin/i.test(row.event)) continue;
    const s = spins.get(row.lock) ?? { ns: 0, callers: new Map() };
    s.ns += row.timeNs;
    s.callers.set(row.caller, (s.callers.get(row.caller) ?? 0) + row.timeNs);
    spins.set(row.lock, s);
  }
  const top = [...spins.entries()].sort((a, b) => b[1].ns - a[1].ns)[0];
  const out = r.output as { stdout?: string; status?: number };
  return {
    kernel: r.kernel.name,
    figure: headline(out.stdout ?? ""),
    split: {
      user: sum((k) => k === "user"),
      system: sum((k) => k === "kernel"),
      softnet: sum((k) => k === "softnet"),
      softother: sum((k) => soft(k) && k !== "softnet"),
      intr: sum((k) => k.startsWith("intr:")),
      spin: sum((k) => k === "spin"),
      idle: sum((k) => k === "idle"),
    },
    topSpinLock: top?.[0] ?? null,
    topSpinCallers: top
      ? [...top[1].callers.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 2)
          .map(([c]) => c)
      : [],
    spinNs: top?.[1].ns ?? 0,
    calloutLatenessP99Ns: quantileNs(r.callouts.lateness, 0.99),
    watchdogMisses: r.watchdog.misses,
    status: out.status ?? 0,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
function time(ns: number): string {
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(0)} us`;
  return `${(ns / 1e6).toFixed(1)} ms`;
}

export function compareTable(rows: readonly CompareRow[]): string {
  const table = new Table({
    head: [
      "kernel",
      "result",
      "user",
      "sys",
      "softnet",
      "soft other",
      "intr",
      "spin",
      "idle",
      "most spun lock (callers)",
      "callout p99",
      "wdog miss",
    ],
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    table.push([
      r.kernel,
      r.status === 0 ? r.figure : `failed (${r.status})`,
      pct(r.split.user),
      pct(r.split.system),
      pct(r.split.softnet),
      pct(r.split.softother),
      pct(r.split.intr),
      pct(r.split.spin),
      pct(r.split.idle),
      r.topSpinLock === null
        ? "-"
        : `${r.topSpinLock} ${time(r.spinNs)} (${r.topSpinCallers.join(", ")})`,
      r.calloutLatenessP99Ns === 0 ? "on time" : `<= ${time(r.calloutLatenessP99Ns)}`,
      String(r.watchdogMisses),
    ]);
  }
  return table.toString();
}
