/*
 * The headline figure of `compare`'s table, read from the real tools'
 * outputs in shared/reference: iperf3's receiver bitrate and netperf's
 * result column, not a socket size printed after it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { headline, quantileNs } from "../src/format/compare-table.js";

const REF = join(import.meta.dirname, "../../../../shared/reference");
const ref = (f: string) => readFileSync(join(REF, f), "utf8");

describe("the headline figure", () => {
  it("is iperf3's receiver bitrate", () => {
    expect(headline(ref("iperf3/tcp-R.txt"))).toBe("19.4 Gbits/sec");
  });
  it("is netperf's transaction rate for an RR test, not the remote socket sizes after it", () => {
    expect(headline(ref("netperf/tcp-crr.txt"))).toBe("14324.82");
    expect(headline(ref("netperf/tcp-rr.txt"))).toMatch(/^\d+\.\d\d$/);
  });
  it("is netperf's throughput for a stream test", () => {
    expect(headline(ref("netperf/tcp-stream.txt"))).toBe("21149.04");
  });
  it("is a dash when there is none", () => {
    expect(headline("iperf3: error - unable to connect to server\n")).toBe("-");
  });
});

describe("the p99 of a power-of-two histogram", () => {
  it("is the upper bound of the bucket that holds it; bucket 0 is on time", () => {
    const h = (buckets: [number, number][]) => ({
      count: buckets.reduce((a, [, c]) => a + c, 0),
      sumNs: 0,
      maxNs: 0,
      buckets: buckets.map(([fromNs, count]) => ({ fromNs, count })),
    });
    expect(quantileNs(h([[0, 100]]), 0.99)).toBe(0);
    expect(
      quantileNs(
        h([
          [0, 98],
          [1024, 2],
        ]),
        0.99,
      ),
    ).toBe(2048);
    expect(
      quantileNs(
        h([
          [0, 99],
          [1024, 1],
        ]),
        0.99,
      ),
    ).toBe(0);
  });
});
