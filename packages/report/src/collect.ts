/*
 * The Collector: subscribes to a simulation's probes before it runs and,
 * after, builds the sim-side parts of a RunResult: per-CPU time split,
 * callout lateness, watchdog expiries, user-read throughput, counter
 * series, folded stacks and the trace. The parts that other packages own
 * (the workload's output, lockstat records, reclamation and protocol
 * statistics, stream integrity) are handed to finish() as data.
 *
 * Probes it consumes, by name (those of @smpnet/sim always; the others when
 * a package has defined them on the bus before attach):
 *   context_switch, intr_entry, intr_exit, spin_begin, spin_end, mode_change   @smpnet/sim
 *   callout_fire (cpu, name, dueNs, lateNs), wdog_expire (name, sinceTickleNs)   @smpnet/softint
 *   net_nic_rx, net_ip_input, net_deliver, net_user_read (cpu, id, ...), net_tcp_output (..., cwnd)   @smpnet/netinet
 *   sb_bytes (cpu, so, sb, bytes)                  socket-buffer occupancy, counter "<host> so<so> <sb>"
 *   reclaim_pending (host, scheme, bytes)          bytes awaiting free, counter "<host> <scheme> pending"
 *   reclaim_grace (host, scheme, latencyNs)        one grace period's latency
 * The last three are this package's names for the packages that will emit them.
 */

import type { Cpu, Host, Simulation } from "@smpnet/sim";
import { resultHash } from "./canonical.js";
import { ReportError } from "./errors.js";
import { busyNs, StackSampler } from "./folded.js";
import { Quantize } from "./histogram.js";
import { RESULT_VERSION, type RunResult } from "./result.js";
import { BinnedSeries, ChangeSeries } from "./series.js";
import { type TraceOptions, TraceRecorder } from "./trace.js";

export const CONSUMED_PROBES = [
  "context_switch",
  "intr_entry",
  "intr_exit",
  "spin_begin",
  "spin_end",
  "mode_change",
  "callout_fire",
  "wdog_expire",
  "net_nic_rx",
  "net_ip_input",
  "net_deliver",
  "net_user_read",
  "net_tcp_output",
  "sb_bytes",
  "reclaim_pending",
  "reclaim_grace",
] as const;

export interface CollectorOptions {
  /** Hosts whose CPUs are traced and sampled. Default: every host that is not ideal. */
  hosts?: readonly Host[];
  /** Width of a throughput bin. Default 1 ms. */
  throughputBinNs?: number;
  /**
   * Most bins of the throughput series and points of a counter series;
   * past it a series halves its resolution, so memory stays flat. Default 4096.
   */
  maxSeriesPoints?: number;
  /** A callout later than this gets an instant in the trace. Default 10 ms (one tick at hz=100, NetBSD's default). */
  lateCalloutNs?: number;
  trace?: TraceOptions;
}

/** What finish() needs from the packages that own it. */
export type RunParts = Pick<
  RunResult,
  "kernel" | "workload" | "seed" | "output" | "lockstat" | "integrity" | "stats"
> & { reclamation: { scheme: string } & Record<string, unknown> };

type ProbeCb = (t: number, ...args: never[]) => void;

export class Collector {
  private readonly cpus: Cpu[];
  private readonly trace: TraceRecorder;
  private readonly sampler: StackSampler;
  private readonly offs: (() => void)[] = [];
  private readonly lateness = new Quantize();
  private readonly grace = new Quantize();
  private readonly expiries: RunResult["watchdog"]["expiries"] = [];
  private readonly throughput: BinnedSeries;
  private readonly counters = new Map<string, ChangeSeries>();
  private readonly maxPoints: number;
  private maxPendingBytes = 0;
  private fired = 0;

  constructor(
    private readonly sim: Simulation,
    opts: CollectorOptions = {},
  ) {
    const hosts = opts.hosts ?? sim.hosts.filter((h) => !h.ideal);
    this.cpus = hosts.flatMap((h) => h.cpus);
    if (this.cpus.length === 0) {
      throw new ReportError("Collector: no host to observe (every host is ideal); pass opts.hosts");
    }
    this.maxPoints = opts.maxSeriesPoints ?? 4_096;
    if (!(Number.isInteger(this.maxPoints) && this.maxPoints >= 2)) {
      throw new ReportError(
        `Collector: maxSeriesPoints must be a whole number of at least 2, got ${this.maxPoints}`,
      );
    }
    this.throughput = new BinnedSeries(
      positive("throughputBinNs", opts.throughputBinNs ?? 1_000_000),
      this.maxPoints,
    );
    const lateNs = opts.lateCalloutNs ?? 10_000_000;
    const withHost = hosts.length > 1;
    if (sim.now !== 0) {
      // the time split counts from 0, and the stacks must add up to it
      throw new ReportError(
        `Collector: attach before the run starts (the simulation is at ${sim.now} ns already)`,
      );
    }
    this.trace = new TraceRecorder(sim, this.cpus, withHost, opts.trace ?? {});
    this.sampler = new StackSampler(this.cpus, withHost);
    const traced = new Set(this.cpus);
    const on = (cpu: Cpu) => traced.has(cpu);
    this.sub("context_switch", (_t, cpu: Cpu, _from: unknown, to: Cpu["curlwp"]) => {
      if (!on(cpu)) return;
      this.sampler.contextSwitch(cpu, to);
      this.trace.contextSwitch(cpu, to);
    });
    this.sub("intr_entry", (_t, cpu: Cpu, _ipl: number, name: string) => {
      if (!on(cpu)) return;
      this.sampler.intrEntry(cpu, name);
      this.trace.intrEntry(cpu, name);
    });
    this.sub("intr_exit", (_t, cpu: Cpu) => {
      if (!on(cpu)) return;
      this.sampler.intrExit(cpu);
      this.trace.intrExit(cpu);
    });
    this.sub("spin_begin", (_t, cpu: Cpu, tag: unknown) => {
      if (!on(cpu)) return;
      this.sampler.look(cpu);
      this.trace.spinBegin(cpu, tag);
    });
    this.sub("spin_end", (_t, cpu: Cpu) => {
      if (!on(cpu)) return;
      this.sampler.look(cpu);
      this.trace.spinEnd(cpu);
    });
    // user time ends at syscall_enter: give it to the user frame before the mode flips
    this.sub("mode_change", (_t, cpu: Cpu) => {
      if (on(cpu)) this.sampler.look(cpu);
    });
    this.sub("callout_fire", (_t, cpu: Cpu, name: string, _due: number, late: number) => {
      this.sampler.look(cpu);
      this.fired++;
      this.lateness.add(late);
      if (late > lateNs && on(cpu))
        this.trace.instant(cpu, `callout late ${name}`, "callout", { lateNs: late });
    });
    this.sub("wdog_expire", (t, name: string, since: number) => {
      this.expiries.push({ tNs: t, name, sinceTickleNs: since });
      this.trace.instant(null, `watchdog miss ${name}`, "watchdog", { sinceTickleNs: since });
    });
    this.sub("net_nic_rx", (_t, cpu: Cpu, id: number) => this.packet(cpu, id, "s"));
    this.sub("net_ip_input", (_t, cpu: Cpu, id: number) => this.packet(cpu, id, "t"));
    this.sub("net_deliver", (_t, cpu: Cpu, id: number) => this.packet(cpu, id, "t"));
    this.sub("net_user_read", (t, cpu: Cpu, id: number, bytes: number) => {
      this.throughput.add(t, bytes);
      this.packet(cpu, id, "t");
    });
    this.sub("net_tcp_output", (t, cpu: Cpu, ...a: number[]) => {
      const cwnd = a[5]!;
      this.sampler.look(cpu);
      if (cwnd > 0) this.counter(t, `${cpu.host.name} cwnd`, cwnd);
    });
    this.sub("sb_bytes", (t, cpu: Cpu, so: number, sb: string, bytes: number) => {
      this.sampler.look(cpu);
      this.counter(t, `${cpu.host.name} so${so} ${sb}`, bytes);
    });
    this.sub("reclaim_pending", (t, host: Host, scheme: string, bytes: number) => {
      if (bytes > this.maxPendingBytes) this.maxPendingBytes = bytes;
      this.counter(t, `${host.name} ${scheme} pending`, bytes);
    });
    this.sub("reclaim_grace", (_t, _host: Host, _scheme: string, ns: number) => this.grace.add(ns));
  }

  private sub(name: (typeof CONSUMED_PROBES)[number], fn: ProbeCb): void {
    const probe = this.sim.probes.get(name);
    if (probe !== undefined)
      this.offs.push(probe.subscribe(fn as (t: number, ...a: unknown[]) => void));
  }

  private packet(cpu: Cpu, id: number, ph: "s" | "t"): void {
    this.sampler.look(cpu);
    this.trace.packet(cpu, id, ph);
  }

  private counter(t: number, name: string, value: number): void {
    let s = this.counters.get(name);
    if (s === undefined) {
      s = new ChangeSeries(this.maxPoints);
      this.counters.set(name, s);
    }
    if (s.add(t, value)) this.trace.counter(name, value);
  }

  /** Stops listening and builds the result, with the parts other packages own. */
  finish(parts: RunParts): RunResult {
    this.sampler.lookAll();
    this.sampler.detach();
    for (const off of this.offs) off();
    const cpus = this.cpus.map((c) => {
      return { host: c.host.name, cpu: c.index, split: c.timeSplit(), busyNs: busyNs(c) };
    });
    const result: RunResult = {
      schema: "smpnet-result",
      version: RESULT_VERSION,
      kernel: parts.kernel,
      workload: parts.workload,
      seed: parts.seed,
      elapsedNs: this.sim.now,
      output: parts.output,
      cpus,
      lockstat: parts.lockstat,
      reclamation: {
        gracePeriod: this.grace.toJSON(),
        maxPendingBytes: this.maxPendingBytes,
        ...parts.reclamation,
      },
      callouts: { fired: this.fired, lateness: this.lateness.toJSON() },
      watchdog: { misses: this.expiries.length, expiries: this.expiries },
      integrity: parts.integrity,
      stats: parts.stats,
      series: {
        throughput: { binNs: this.throughput.binNs, bytes: this.throughput.bytes },
        counters: Object.fromEntries([...this.counters].map(([k, c]) => [k, c.points])),
      },
      folded: this.sampler.lines(),
      trace: this.trace.finish(),
      hash: "",
    };
    result.hash = resultHash(result);
    return result;
  }
}

function positive(name: string, v: number): number {
  if (!(v > 0 && Number.isFinite(v))) {
    throw new ReportError(`Collector: ${name} must be a positive number of ns, got ${v}`);
  }
  return v;
}
