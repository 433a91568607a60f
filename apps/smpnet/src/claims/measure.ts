/*
 * The figures the claims compare, read from a run's result: what the
 * workload printed, where the CPUs went, who spun on which lock, the pcb
 * read side's statistics.
 */
import type { RunResult } from "@smpnet/report";

const UNIT: Record<string, number> = { "": 1e-6, K: 1e-3, M: 1, G: 1e3 };

/** iperf3's receiver bitrate in Mbit/s: the [SUM] line when there are several streams. */
export function mbps(r: RunResult): number {
  const stdout = (r.output as { stdout?: string }).stdout ?? "";
  const all = [...stdout.matchAll(/([\d.]+) ([KMG]?)bits\/sec\s+receiver/g)];
  const last = all[all.length - 1];
  if (last === undefined)
    throw new Error(`${r.kernel.name}: no receiver bitrate in iperf3's output`);
  return Number(last[1]) * UNIT[last[2]!]!;
}

/**
 * netperf's transaction rate from its classic request/response line: send
 * and receive socket sizes, request and response sizes, elapsed seconds,
 * transactions per second (the remote sizes follow on a line of their own).
 */
export function netperfRate(r: RunResult): number {
  const stdout = (r.output as { stdout?: string }).stdout ?? "";
  const m = /^\s*\d+\s+\d+\s+\d+\s+\d+\s+[\d.]+\s+([\d.]+)\s*$/m.exec(stdout);
  if (m === null) throw new Error(`${r.kernel.name}: no transaction rate in netperf's output`);
  return Number(m[1]);
}

/**
 * Share of the system under test's CPU time spent in SOFTINT_NET, its spin
 * included, from the folded stacks: a spin's time goes to the context that
 * spun, where the time split has one spin class for every context. An
 * interrupt taken inside the softint is not the softint's time.
 */
export function softnetShare(r: RunResult): number {
  let ns = 0;
  for (const line of r.folded) {
    const sp = line.lastIndexOf(" ");
    const frames = line.slice(0, sp).split(";");
    const at = frames.indexOf("softint_net");
    if (at >= 0 && !frames.slice(at).some((f) => f.startsWith("intr_"))) {
      ns += Number(line.slice(sp + 1));
    }
  }
  const all = r.cpus.reduce((s, c) => s + Object.values(c.split).reduce((a, b) => a + b, 0), 0);
  return all === 0 ? 0 : ns / all;
}

/** Spin time per lock, ns, and each lock's callers by spin time. */
export function spinByLock(r: RunResult): Map<string, { ns: number; callers: string[] }> {
  const by = new Map<string, { ns: number; callers: Map<string, number> }>();
  for (const row of r.lockstat) {
    if (!/spin/i.test(row.event)) continue;
    const s = by.get(row.lock) ?? { ns: 0, callers: new Map<string, number>() };
    s.ns += row.timeNs;
    s.callers.set(row.caller, (s.callers.get(row.caller) ?? 0) + row.timeNs);
    by.set(row.lock, s);
  }
  const out = new Map<string, { ns: number; callers: string[] }>();
  for (const [lock, s] of [...by].sort((a, b) => b[1].ns - a[1].ns)) {
    const callers = [...s.callers].sort((a, b) => b[1] - a[1]).map(([c]) => c);
    out.set(lock, { ns: s.ns, callers });
  }
  return out;
}

/** The lock with the most contention time of any kind (spin and sleep), as lockstat ranks it. */
export function mostContended(r: RunResult): string | null {
  const by = new Map<string, number>();
  for (const row of r.lockstat) by.set(row.lock, (by.get(row.lock) ?? 0) + row.timeNs);
  return [...by].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** Busy CPU ns (all but idle) per byte the system under test sent. */
export function cpuNsPerByte(r: RunResult): number {
  const busy = r.cpus.reduce((s, c) => s + c.busyNs, 0);
  return busy / (r.stats.tcpstat.tcps_sndbyte ?? 1);
}

/** The pcb read side and cross-calls as run-one records them, per simulated second. */
export function readSide(r: RunResult) {
  const rc = r.reclamation as {
    crossCalls?: number;
    revalidations?: number;
    readNsPerSection?: number;
  };
  const s = r.elapsedNs / 1e9;
  return {
    crossCallsPerSecond: (rc.crossCalls ?? 0) / s,
    revalidationsPerSecond: (rc.revalidations ?? 0) / s,
    readNsPerSection: rc.readNsPerSection ?? 0,
  };
}
