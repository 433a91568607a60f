/*
 * One end of an iperf3 test (src/iperf_api.c, the parts client and server
 * share): the streams, the main loop of select(2) over the control
 * connection and the data sockets with the interval timer as its timeout
 * (iperf_client_api.c iperf_run_client, iperf_server_api.c
 * iperf_run_server), the per-interval statistics and the results each end
 * sends the other (send_results, get_results). 3.12 is single-threaded:
 * one LWP does all of it.
 *
 * Left out: the reporter's --forceflush, -F files, --logfile, -T titles,
 * authentication, SCTP, burst mode and fair-queue pacing. A UDP sender
 * paces itself exactly to the target rate (iperf3 3.12 checks its rate
 * after each send and waits in select with a 1 ms pacing timer).
 */

import {
  type NetStack,
  type SelectSet,
  type socket,
  sys_recvfrom,
  sys_select,
} from "@smpnet/netinet";
import type { Host, KernelGen, TimeSplit } from "@smpnet/sim";
import type { Iperf3Options } from "./options.js";
import { type ControlChannel, TEST_END } from "./protocol.js";
import type { IperfStream } from "./stream.js";

const NS = 1e9;

/** The results one end sends the other (send_results). */
export interface PeerResults {
  cpu_util_total: number;
  cpu_util_user: number;
  cpu_util_system: number;
  sender_has_retransmits: number;
  congestion_used?: string;
  streams: {
    id: number;
    bytes: number;
    retransmits: number;
    jitter: number;
    errors: number;
    packets: number;
    start_time: number;
    end_time: number;
  }[];
  server_output_text?: string;
  server_output_json?: unknown;
}

/** A host's accounting at one instant: each CPU's time by class since the machine started. */
export interface CpuSnapshot {
  atNs: number;
  splits: TimeSplit[];
}

/**
 * cpu_util: user and system time over wall time, each read in whole
 * microseconds as gettimeofday and getrusage give them, in percent of one
 * CPU; total from the two times' sum, not from the two percentages. Here
 * the times are the host's: its CPUs' user and kernel classes.
 */
export function cpu_util(
  a: CpuSnapshot,
  b: CpuSnapshot,
): [total: number, user: number, system: number] {
  const us = (ns: number) => Math.trunc(ns / 1_000);
  const sum = (x: CpuSnapshot, cls: string) => x.splits.reduce((n, t) => n + t[cls]!, 0);
  const timediff = us(b.atNs) - us(a.atNs);
  if (timediff <= 0) return [0, 0, 0];
  const userdiff = us(sum(b, "user")) - us(sum(a, "user"));
  const systemdiff = us(sum(b, "kernel")) - us(sum(a, "kernel"));
  return [
    ((userdiff + systemdiff) / timediff) * 100,
    (userdiff / timediff) * 100,
    (systemdiff / timediff) * 100,
  ];
}

export class IperfTest {
  readonly streams: IperfStream[] = [];
  /** The congestion control module of the first data socket (getsockopt TCP_CONGESTION). */
  congestionUsed = "";
  ctrl: ControlChannel | null = null;
  /** When the test (after any omit period) started, and when this end stopped it (ns). */
  startNs = 0;
  endNs = 0;
  omitting = false;
  done = false;
  /** What this end printed, line by line, and its JSON sections. */
  readonly out: string[] = [];
  readonly jsonIntervals: unknown[] = [];
  cpu: [total: number, user: number, system: number] = [0, 0, 0];
  /** The machine's accounting when the test (after any omit period) started, and when it stopped. */
  cpuStart: CpuSnapshot = { atNs: 0, splits: [] };
  cpuEnd: CpuSnapshot = { atNs: 0, splits: [] };
  remote: PeerResults | null = null;

  constructor(
    readonly o: Iperf3Options,
    readonly role: "c" | "s",
    readonly stack: NetStack,
    /** Prints one interval (text or JSON). */
    private readonly onInterval: (t: IperfTest) => void,
  ) {}

  get host(): Host {
    return this.stack.host;
  }

  get now(): number {
    return this.host.sim.now;
  }

  /** This end sends on some stream (its retransmits are known). */
  get senderHasRetransmits(): boolean {
    return !this.o.udp && this.streams.some((s) => s.sender);
  }

  private cpuNow(): CpuSnapshot {
    return { atNs: this.now, splits: this.host.cpus.map((c) => c.timeSplit()) };
  }

  /** iperf_reset_stats at the test's start (and again when the omit period ends). */
  start(): void {
    this.startNs = this.now;
    this.cpuStart = this.cpuNow();
    for (const s of this.streams) s.reset(this.now);
  }

  /** The CPU use since start, in percent of one CPU (cpu_util). */
  stopCpu(): void {
    this.cpuEnd = this.cpuNow();
    this.cpu = cpu_util(this.cpuStart, this.cpuEnd);
  }

  /** iperf_stats_callback and the reporter: one interval of every stream. */
  *interval(): KernelGen {
    for (const s of this.streams) yield* s.sample(this.now, this.omitting);
    this.onInterval(this);
  }

  /**
   * The main loop while the test runs: select over the control connection
   * and the streams, send or receive a block on each ready one, and run the
   * timers. Returns when this end is done: the client at its end condition,
   * the server when the client says TEST_END (or the control connection
   * goes away).
   */
  *run(): KernelGen {
    const o = this.o;
    const ctrl = this.ctrl!;
    const senders = this.streams.filter((s) => s.sender);
    const receivers = this.streams.filter((s) => !s.sender);
    const want: SelectSet = { read: [ctrl.so, ...receivers.map((s) => s.so)], write: [] };
    const intervalNs = o.interval * NS;
    const omitEnd = this.now + o.omit * NS;
    this.omitting = o.omit > 0;
    this.start();
    let nextInterval = intervalNs > 0 ? this.now + intervalNs : Number.POSITIVE_INFINITY;
    const durationNs = o.duration * NS;
    const sockets = new Map<socket, IperfStream>(this.streams.map((s) => [s.so, s]));
    const sending = (s: IperfStream) =>
      !(o.bytes > 0 && s.bytes >= o.bytes) && !(o.blocks > 0 && s.blocks >= o.blocks);
    while (!this.done) {
      const now = this.now;
      let wake = Math.min(nextInterval, this.omitting ? omitEnd : Number.POSITIVE_INFINITY);
      if (this.role === "c" && durationNs > 0 && !this.omitting) {
        wake = Math.min(wake, this.startNs + durationNs);
      }
      want.write = [];
      for (const s of senders) {
        if (!sending(s)) continue;
        // iperf_check_throttle: -b is each stream's rate
        const due = o.rate > 0 ? this.startNs + ((s.bytes * 8) / o.rate) * NS : now;
        if (due <= now) want.write.push(s.so);
        else wake = Math.min(wake, due);
      }
      const timeout = wake === Number.POSITIVE_INFINITY ? 0 : Math.max(1, wake - now);
      const ready = yield* sys_select(this.stack, want, timeout);
      if (ready.read.includes(ctrl.so)) {
        const state = yield* ctrl.readState();
        if (state === null || state === TEST_END || this.role === "c") {
          this.done = true;
          break;
        }
      }
      for (const so of ready.write) yield* sockets.get(so)!.send(() => this.now);
      for (const so of ready.read) {
        const s = sockets.get(so);
        if (s !== undefined) yield* s.recv(() => this.now);
      }
      if (this.omitting && this.now >= omitEnd) {
        yield* this.interval();
        this.omitting = false;
        this.start();
        nextInterval = intervalNs > 0 ? this.now + intervalNs : Number.POSITIVE_INFINITY;
        continue;
      }
      if (this.role === "c" && this.clientDone(durationNs)) break;
      if (this.now >= nextInterval) {
        yield* this.interval();
        nextInterval += intervalNs;
      }
    }
    // the last, partial interval (iperf3 drops one under a tenth of an interval with no data)
    const short = this.now - (this.streams[0]?.intervalStartNs ?? this.now) < 0.1 * intervalNs;
    if (!(short && this.streams.every((s) => s.intervalBytes === 0))) yield* this.interval();
    else for (const s of this.streams) s.endNs = this.now;
    this.endNs = this.now;
    this.stopCpu();
  }

  private clientDone(durationNs: number): boolean {
    if (this.omitting) return false;
    const o = this.o;
    let bytes = 0;
    let blocks = 0;
    for (const s of this.streams) {
      bytes += s.bytes;
      blocks += s.blocks;
    }
    this.done =
      (durationNs > 0 && this.now >= this.startNs + durationNs) ||
      (o.bytes > 0 && bytes >= o.bytes) ||
      (o.blocks > 0 && blocks >= o.blocks);
    return this.done;
  }

  /**
   * The next state on the control connection (null: it closed), reading
   * the receiving streams meanwhile: a client in reverse mode drains them
   * after TEST_END so a sender blocked on a full pipe can still hear it.
   */
  *nextState(): KernelGen<number | null> {
    const ctrl = this.ctrl!;
    const receivers = this.streams.filter((s) => !s.sender);
    const want: SelectSet = { read: [ctrl.so, ...receivers.map((s) => s.so)], write: [] };
    for (;;) {
      const ready = yield* sys_select(this.stack, want, 0);
      for (const so of ready.read) {
        if (so === ctrl.so) return yield* ctrl.readState();
        const s = receivers.find((r) => r.so === so)!;
        s.u.uio_resid = s.blksize;
        if ((yield* sys_recvfrom(so, s.u)) !== 0 || (s.u.data_len === 0 && !s.udp)) {
          want.read = want.read.filter((x) => x !== so);
        }
      }
    }
  }

  /** send_results: what this end measured. */
  results(): PeerResults {
    return {
      cpu_util_total: this.cpu[0],
      cpu_util_user: this.cpu[1],
      cpu_util_system: this.cpu[2],
      sender_has_retransmits: this.senderHasRetransmits ? 1 : 0,
      ...(this.o.udp ? {} : { congestion_used: this.congestionUsed }),
      streams: this.streams.map((s) => ({
        id: s.id,
        bytes: s.bytes,
        retransmits: s.sender && !s.udp ? s.retransmits : -1,
        jitter: s.jitter,
        errors: s.cntError,
        packets: s.packetCount,
        start_time: 0,
        end_time: (s.endNs - s.startNs) / NS,
      })),
    };
  }
}
