import { describe, expect, it } from "vitest";
import { iperf3 } from "../src/index.js";
import { testKernel } from "./fixtures.js";

interface Interval {
  sum: { start: number; end: number; bytes: number; omitted: boolean };
  streams: { bytes: number; omitted: boolean }[];
}

/*
 * -O 1: the first second is a pre-test whose intervals are reported as
 * omitted and left out of the summary; the statistics restart after it
 * (iperf_reset_stats), so the test's own intervals start again at 0. A
 * 10 Mbit/s wire keeps the two simulated seconds cheap.
 */
describe("iperf3 -O (omit)", () => {
  const run = (json: boolean) =>
    iperf3(testKernel({ ideal: true, wire: { speedMbps: 10 } }), [
      "-c",
      "dut",
      "-O",
      "1",
      "-t",
      "1",
      "-i",
      "0.5",
      ...(json ? ["-J"] : []),
    ]);

  it("JSON: the omitted intervals say so, and the summary counts only the others", () => {
    const r = run(true);
    expect([r.stderr, r.status]).toEqual(["", 0]);
    const j = JSON.parse(r.stdout);
    const intervals: Interval[] = j.intervals;
    expect(intervals.map((i) => [i.sum.start, i.sum.end, i.sum.omitted])).toEqual([
      [0, 0.5, true],
      [0.5, 1, true],
      [0, 0.5, false],
      [0.5, 1, false],
    ]);
    for (const i of intervals) expect(i.streams[0]!.omitted).toBe(i.sum.omitted);
    const bytes = (omitted: boolean) =>
      intervals.filter((i) => i.sum.omitted === omitted).reduce((a, i) => a + i.sum.bytes, 0);
    expect(bytes(true)).toBeGreaterThan(0);
    expect(j.end.sum_sent.bytes).toBe(bytes(false));
    expect(j.end.sum_sent.seconds).toBe(1);
    expect(j.start.test_start.omit).toBe(1);
    // the receiver's total leaves its pre-test out too
    const server = r.server!.streams[0]!.intervals;
    expect(server.filter((i) => i.omitted).length).toBe(2);
    const received = server.filter((i) => !i.omitted).reduce((a, i) => a + i.bytes, 0);
    expect(j.end.sum_received.bytes).toBe(received);
  });

  it("text: the omitted intervals end in (omitted), the header comes again after them", () => {
    const lines = run(false).stdout.split("\n");
    const omitted = lines.filter((l) => l.endsWith("(omitted)"));
    expect(omitted.map((l) => l.slice(0, 24))).toEqual([
      "[  5]   0.00-0.50   sec ",
      "[  5]   0.50-1.00   sec ",
    ]);
    expect(lines.filter((l) => l.startsWith("[ ID] Interval")).length).toBe(3);
    // the receiver reads on a little after the sender stops
    expect(
      lines.filter((l) => /^\[ {2}5\] {3}0\.00-1\.0\d {3}sec .*(sender|receiver)$/.test(l)),
    ).toHaveLength(2);
  });
});
