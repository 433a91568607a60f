/*
 * A Perfetto/Chrome trace of a run, from the machine's probes: one track
 * per CPU (pid 1, one tid per CPU, trace-event.md's convention) whose
 * slices show what ran, nested LIFO: an LWP (or softint LWP) ⊃ an
 * interrupt ⊃ a spin on a named lock. Packets are followed by flow events
 * from the NIC interrupt (s) through ip_input (t) to the user's read (f).
 * Counters live under pid 2, instants mark late callouts and watchdog
 * expiries.
 *
 * Slices are written when they close; the file is sorted by time at the
 * end, a parent before its children at equal times. For long runs the
 * trace is bounded: a time window, closed early when it reaches maxEvents;
 * the metadata says which window was kept.
 */

import { ACCT_SOFTINT, type Cpu, type Lwp, type Simulation } from "@smpnet/sim";
import { cpuLabel, lwpLabel, tagName } from "./labels.js";
import type { TraceEvent, TraceFile } from "./trace-event.js";

export interface TraceOptions {
  /** Only [fromNs, toNs) of the run is kept. Default: all of it. */
  fromNs?: number;
  toNs?: number;
  /** The window closes once this many events are kept. Default 200_000. */
  maxEvents?: number;
}

const CPU_PID = 1;
const COUNTER_PID = 2;
const TID_BASE = 100;

interface Slice {
  name: string;
  cat: string;
  startNs: number;
  kind: "lwp" | "intr" | "spin";
  args?: Record<string, unknown>;
  endNs: number;
}

/** Stand-ins for slices opened after the window closed: they start too late to be kept. */
const UNRECORDED: Record<Slice["kind"], Slice> = {
  lwp: { name: "", cat: "", kind: "lwp", startNs: Number.POSITIVE_INFINITY, endNs: Number.NaN },
  intr: { name: "", cat: "", kind: "intr", startNs: Number.POSITIVE_INFINITY, endNs: Number.NaN },
  spin: { name: "", cat: "", kind: "spin", startNs: Number.POSITIVE_INFINITY, endNs: Number.NaN },
};

interface FlowPoint {
  ev: TraceEvent;
  slice: Slice;
  tsNs: number;
}

export class TraceRecorder {
  private readonly tids = new Map<Cpu, number>();
  private readonly open = new Map<Cpu, Slice[]>();
  private readonly closed: { ev: TraceEvent; depth: number; seq: number }[] = [];
  private readonly flows = new Map<number, FlowPoint[]>();
  private readonly counters = new Map<string, number>();
  private readonly fromNs: number;
  private toNs: number;
  private readonly maxEvents: number;
  private stoppedAt: number | null = null;
  private seq = 0;
  /** Events kept so far, flow points included (they are written at the end). */
  private kept = 0;

  constructor(
    private readonly sim: Simulation,
    readonly cpus: readonly Cpu[],
    withHost: boolean,
    opts: TraceOptions,
  ) {
    this.fromNs = opts.fromNs ?? 0;
    this.toNs = opts.toNs ?? Number.POSITIVE_INFINITY;
    this.maxEvents = opts.maxEvents ?? 200_000;
    const meta: TraceEvent[] = [
      {
        ph: "M",
        cat: "__metadata",
        name: "process_name",
        pid: CPU_PID,
        ts: 0,
        args: { name: "CPUs" },
      },
      {
        ph: "M",
        cat: "__metadata",
        name: "process_name",
        pid: COUNTER_PID,
        ts: 0,
        args: { name: "counters" },
      },
    ];
    cpus.forEach((c, i) => {
      const tid = TID_BASE + i;
      this.tids.set(c, tid);
      this.open.set(c, []);
      meta.push(
        {
          ph: "M",
          cat: "__metadata",
          name: "thread_name",
          pid: CPU_PID,
          tid,
          ts: 0,
          args: { name: cpuLabel(c, withHost) },
        },
        {
          ph: "M",
          cat: "__metadata",
          name: "thread_sort_index",
          pid: CPU_PID,
          tid,
          ts: 0,
          args: { sort_index: i },
        },
      );
      if (!c.idle) this.lwpOn(c, c.curlwp);
    });
    for (const ev of meta) this.closed.push({ ev, depth: 0, seq: this.seq++ });
  }

  private get recording(): boolean {
    return this.stoppedAt === null && this.sim.now < this.toNs;
  }

  private lwpOn(c: Cpu, l: Lwp): void {
    if (this.unrecorded(c, "lwp")) return;
    const cat = l.kacct >= ACCT_SOFTINT ? "softint" : "sched";
    this.push(c, { name: lwpLabel(l), cat, kind: "lwp", args: { lid: l.lid } });
  }

  private push(c: Cpu, s: Omit<Slice, "startNs" | "endNs">): void {
    this.open.get(c)?.push({ ...s, startNs: this.sim.now, endNs: Number.NaN });
  }

  /** Once the window has closed, a slice writes nothing and only its kind matters. */
  private unrecorded(c: Cpu, kind: Slice["kind"]): boolean {
    if (this.recording) return false;
    this.open.get(c)?.push(UNRECORDED[kind]);
    return true;
  }

  /** Closes the top slice of `c`, and those above it, down to one of `kind`. */
  private popTo(c: Cpu, kind: Slice["kind"]): void {
    const st = this.open.get(c);
    if (st === undefined) return;
    while (st.length > 0) {
      const s = st.pop()!;
      this.close(c, s, st.length);
      if (s.kind === kind) return;
    }
  }

  private close(c: Cpu, s: Slice, depth: number): void {
    s.endNs = this.sim.now;
    const from = Math.round(Math.max(s.startNs, this.fromNs));
    const to = Math.round(Math.min(s.endNs, this.toNs, this.stoppedAt ?? Number.POSITIVE_INFINITY));
    if (to <= from) return;
    const ev: TraceEvent = {
      ph: "X",
      cat: s.cat,
      name: s.name,
      pid: CPU_PID,
      tid: this.tids.get(c)!,
      ts: from / 1000,
      dur: (to - from) / 1000,
    };
    if (s.args !== undefined) ev.args = s.args;
    this.keep(ev, depth);
  }

  private keep(ev: TraceEvent, depth: number): void {
    this.closed.push({ ev, depth, seq: this.seq++ });
    this.count();
  }

  private count(): void {
    if (++this.kept >= this.maxEvents && this.stoppedAt === null) this.stoppedAt = this.sim.now;
  }

  private inWindow(): boolean {
    return this.recording && this.sim.now >= this.fromNs;
  }

  // ---- probe handlers --------------------------------------------------------

  contextSwitch(c: Cpu, to: Lwp): void {
    this.popTo(c, "lwp");
    if (to !== c.idlelwp) this.lwpOn(c, to);
  }

  intrEntry(c: Cpu, name: string): void {
    if (this.unrecorded(c, "intr")) return;
    this.push(c, { name: `intr ${name}`, cat: "irq", kind: "intr" });
  }

  intrExit(c: Cpu): void {
    this.popTo(c, "intr");
  }

  spinBegin(c: Cpu, tag: unknown): void {
    if (this.unrecorded(c, "spin")) return;
    this.push(c, { name: `spin ${tagName(tag)}`, cat: "lock", kind: "spin" });
  }

  spinEnd(c: Cpu): void {
    const st = this.open.get(c);
    if (st?.some((s) => s.kind === "spin")) this.popTo(c, "spin");
  }

  /**
   * A packet reached a point of its path on CPU `c`: the NIC interrupt
   * starts its flow (s), ip_input, the append to a socket buffer and the
   * user's read continue it (t); its last point seen ends it (f).
   */
  packet(c: Cpu, id: number, ph: "s" | "t"): void {
    const st = this.open.get(c);
    const slice = st?.[st.length - 1];
    if (slice === undefined || !this.inWindow()) return;
    const tsNs = Math.round(this.sim.now);
    const ev: TraceEvent = {
      ph,
      cat: "net",
      name: "packet",
      pid: CPU_PID,
      tid: this.tids.get(c)!,
      ts: tsNs / 1000,
      id: id + 1,
    };
    const pts = this.flows.get(id) ?? [];
    if (ph === "s") pts.length = 0;
    pts.push({ ev, slice, tsNs });
    this.flows.set(id, pts);
    this.count();
  }

  counter(name: string, value: number): void {
    if (!this.inWindow() || this.counters.get(name) === value) return;
    this.counters.set(name, value);
    this.keep(
      {
        ph: "C",
        cat: "counter",
        name,
        pid: COUNTER_PID,
        ts: Math.round(this.sim.now) / 1000,
        args: { value },
      },
      0,
    );
  }

  instant(c: Cpu | null, name: string, cat: string, args: Record<string, unknown>): void {
    if (!this.inWindow()) return;
    const tid = c === null ? TID_BASE : this.tids.get(c);
    if (tid === undefined) return;
    const ev: TraceEvent = {
      ph: "i",
      cat,
      name,
      pid: CPU_PID,
      tid,
      ts: Math.round(this.sim.now) / 1000,
      s: c === null ? "g" : "t",
      args,
    };
    this.keep(ev, 99);
  }

  /** Closes what is open and returns the trace, sorted by time, parents first. */
  finish(): TraceFile {
    for (const c of this.cpus) {
      const st = this.open.get(c)!;
      while (st.length > 0) this.close(c, st.pop()!, st.length);
    }
    for (const pts of this.flows.values()) {
      // kept whole or not at all: from the NIC on, each point inside its slice (half-open).
      // A packet that ends in tcp_input (an ACK) or in a buffer no one read yet ends there.
      if (pts[0]?.ev.ph !== "s" || pts.length < 2) continue;
      if (
        pts.some(
          (p) => !(p.tsNs < Math.round(p.slice.endNs)) || p.tsNs < Math.round(p.slice.startNs),
        )
      )
        continue;
      if (this.stoppedAt !== null && pts[pts.length - 1]!.tsNs >= this.stoppedAt) continue;
      const last = pts[pts.length - 1]!.ev;
      last.ph = "f";
      last.bp = "e";
      for (const p of pts) this.closed.push({ ev: p.ev, depth: 50, seq: this.seq++ });
    }
    const rank = (e: TraceEvent) => (e.ph === "M" ? 0 : e.ph === "X" ? 1 : 2);
    const sorted = this.closed.sort(
      (a, b) =>
        (a.ev.ts ?? 0) - (b.ev.ts ?? 0) ||
        rank(a.ev) - rank(b.ev) ||
        (b.ev.dur ?? 0) - (a.ev.dur ?? 0) ||
        a.depth - b.depth ||
        a.seq - b.seq,
    );
    const end = Math.min(this.toNs, this.stoppedAt ?? Number.POSITIVE_INFINITY, this.sim.now);
    return {
      traceEvents: sorted.map((k) => k.ev),
      metadata: {
        "smpnet-window": {
          fromNs: this.fromNs,
          toNs: end,
          why:
            this.stoppedAt !== null
              ? `stopped at maxEvents (${this.maxEvents})`
              : "the whole window asked for",
        },
      },
    };
  }
}
