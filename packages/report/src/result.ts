/*
 * One result per run: everything a report is made from. The sim-side parts
 * (time split, callouts, watchdog, throughput and counter series, folded
 * stacks, the trace) come from a Collector; the rest (the workload's own
 * output, lockstat records, reclamation and protocol statistics, stream
 * integrity, which kernel ran) from the packages that own them, as plain
 * data. `hash` is the SHA-256 of the result's canonical JSON (canonical.ts).
 */

import type { LockStatRow } from "./lockstat.js";
import type { TraceFile } from "./trace-event.js";

/** The schema version this package writes and reads. */
export const RESULT_VERSION = 1;

/** A distribution in power-of-two buckets, as DTrace's quantize(): bucket `fromNs` holds [fromNs, 2*fromNs); 0 holds [0, 1). */
export interface Histogram {
  count: number;
  sumNs: number;
  maxNs: number;
  buckets: { fromNs: number; count: number }[];
}

export interface CpuTime {
  host: string;
  cpu: number;
  /** Time by accounting class (@smpnet/sim ACCT_NAMES), summing to elapsedNs. */
  split: Record<string, number>;
  /** Everything but idle. */
  busyNs: number;
}

export interface RunResult {
  schema: "smpnet-result";
  version: typeof RESULT_VERSION;
  /** The kernel as assembled: hardware, policy, reclamation, softint variant; `hash` identifies it. */
  kernel: { name: string; hash?: string } & Record<string, unknown>;
  /** The workload and its arguments, as the user gave them; `hash` identifies them. */
  workload: { name: string; args: string[]; hash?: string };
  seed: number;
  elapsedNs: number;
  /** What the workload printed, as data (iperf3's JSON for iperf3). */
  output: Record<string, unknown>;
  cpus: CpuTime[];
  lockstat: LockStatRow[];
  reclamation: {
    scheme: string;
    gracePeriod: Histogram;
    maxPendingBytes: number;
  } & Record<string, unknown>;
  callouts: { fired: number; lateness: Histogram };
  watchdog: { misses: number; expiries: { tNs: number; name: string; sinceTickleNs: number }[] };
  integrity: { ok: boolean } & Record<string, unknown>;
  stats: {
    tcpstat: Record<string, number>;
    udpstat: Record<string, number>;
    ipstat: Record<string, number>;
  };
  series: {
    /** Bytes read by users per bin of binNs, from the start of the run. */
    throughput: { binNs: number; bytes: number[] };
    /** [tNs, value] points of each counter, when it changed. */
    counters: Record<string, [number, number][]>;
  };
  /** Folded stacks per CPU by kernel function, `cpu0;softint_net;ip_input 1234` (ns). */
  folded: string[];
  trace: TraceFile;
  hash: string;
}
