import { describe, expect, it } from "vitest";
import { type TraceEvent, type TraceFile, validateTrace } from "../src/index.js";
import { fixtureRun } from "./fixture.js";

const ev = (e: Partial<TraceEvent>): TraceEvent => ({
  ph: "X",
  cat: "c",
  name: "n",
  pid: 1,
  tid: 1,
  ...e,
});

describe("the trace", () => {
  const { trace } = fixtureRun(1, 5).result;
  const of = (ph: string, cat?: string) =>
    trace.traceEvents.filter((e) => e.ph === ph && (cat === undefined || e.cat === cat));

  it("passes the validator: slices nested per CPU track, times ordered, flows joined, counters numeric", () => {
    expect(validateTrace(trace)).toEqual([]);
  });

  it("shows threads, softints, interrupts and spins on a named lock, one track per CPU", () => {
    expect(new Set(of("X").map((e) => e.tid))).toEqual(new Set([100, 101]));
    expect(of("X", "softint").some((e) => e.name === "softint_net")).toBe(true);
    expect(of("X", "irq").some((e) => e.name === "intr cnmac0")).toBe(true);
    expect(of("X", "lock").every((e) => e.name === "spin so_lock")).toBe(true);
    expect(of("X", "lock").length).toBeGreaterThan(0);
  });

  it("follows packets from the NIC interrupt through ip_input to the user's read", () => {
    const flows = new Map<number, TraceEvent[]>();
    for (const e of trace.traceEvents) {
      if (e.id !== undefined) flows.set(e.id, [...(flows.get(e.id) ?? []), e]);
    }
    const whole = [...flows.values()].filter((f) => f.map((e) => e.ph).join("") === "stf");
    expect(whole.length).toBeGreaterThan(100);
    // s in the NIC interrupt on cpu0, t in softnet's ip_input on cpu0, f in the reader on cpu1
    expect(whole.every((f) => f.map((e) => e.tid).join() === "100,100,101")).toBe(true);
    // packets still in so_rcv when the run ended stop at ip_input
    const cut = [...flows.values()].filter((f) => f.length !== 3);
    expect(cut.every((f) => f.map((e) => e.ph).join("") === "sf")).toBe(true);
  });

  it("has counters for socket-buffer bytes, cwnd and bytes awaiting free, and instants", () => {
    expect(new Set(of("C").map((e) => e.name))).toEqual(
      new Set(["dut so1 so_rcv", "dut cwnd", "dut epoch pending"]),
    );
    expect(of("i").map((e) => e.name)).toContain("watchdog miss wdog0");
  });

  it("is bounded: it stops at maxEvents, says so, and still validates", () => {
    const small = fixtureRun(1, 5, { trace: { maxEvents: 500 } }).result.trace;
    expect(small.traceEvents.length).toBeLessThan(520);
    expect(small.metadata["smpnet-window"]).toMatchObject({ why: "stopped at maxEvents (500)" });
    expect(validateTrace(small)).toEqual([]);
  });

  it("keeps only a time window when asked", () => {
    const w = fixtureRun(1, 5, { trace: { fromNs: 1e6, toNs: 2e6 } }).result.trace;
    const ts = w.traceEvents.filter((e) => e.ph !== "M").map((e) => e.ts!);
    expect(Math.min(...ts)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...w.traceEvents.map((e) => (e.ts ?? 0) + (e.dur ?? 0)))).toBeLessThanOrEqual(
      2000,
    );
    expect(validateTrace(w)).toEqual([]);
  });
});

describe("the trace validator", () => {
  const file = (traceEvents: TraceEvent[]): TraceFile => ({ traceEvents, metadata: {} });

  it("fails on a slice that overlaps its neighbour on one track", () => {
    const errs = validateTrace(
      file([ev({ name: "a", ts: 0, dur: 10 }), ev({ name: "b", ts: 5, dur: 10 })]),
    );
    expect(errs).toEqual(["traceEvents[1] (X b): overlaps a on track 1/1 (ends after it)"]);
    expect(
      validateTrace(file([ev({ name: "a", ts: 0, dur: 10 }), ev({ name: "b", ts: 10, dur: 10 })])),
    ).toEqual([]);
  });

  it("fails on a real trace with one slice stretched past its parent", () => {
    const { trace } = fixtureRun(1, 2).result;
    const copy = structuredClone(trace);
    const child = copy.traceEvents.find((e) => e.cat === "lock")!;
    child.dur! += 1000;
    expect(validateTrace(copy).some((m) => m.includes("overlaps"))).toBe(true);
  });

  it("fails on time going back, an unjoined flow, a flow id 0 and a non-numeric counter", () => {
    expect(validateTrace(file([ev({ ts: 5, dur: 1 }), ev({ ts: 4, dur: 1 })]))[0]).toMatch(
      /back in time/,
    );
    const flow = (ph: "s" | "f", ts: number, id = 7) =>
      ev({ ph, ts, id, cat: "net", name: "packet" });
    expect(validateTrace(file([ev({ ts: 0, dur: 9 }), flow("s", 1)]))).toEqual([
      "flow 7: expected s, t..., f in order, got s",
    ]);
    expect(validateTrace(file([ev({ ts: 0, dur: 9 }), flow("s", 1, 0)]))[0]).toMatch(
      /non-zero integer id/,
    );
    expect(validateTrace(file([ev({ ph: "C", ts: 0, args: { v: "1" } })]))[0]).toMatch(
      /finite numbers/,
    );
  });
});
