/*
 * The seed's claim 4, flow-level parallelism: `iperf3 -R -P 4` with the
 * receive work spread over the ER-4's 4 cores (4 receive queues, one
 * interrupting each CPU, ip_input on the CPU that took the interrupt, as
 * the PA-220's OpenWrt spreads it over 4 POW groups: calibration.md), a
 * writer per CPU. The ER-4's ports are 1 GbE, which one stream already
 * fills, so the link here is 10 Gb/s (the speed of the large Octeon's
 * ports): the CPUs, not the wire, set the rate. 20 simulated ms measured
 * after 15 ms of start-up.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type StreamResult, streamRun } from "../bench/experiments.mjs";

const P4 = { streams: 4, spread: true, nic: { speedMbps: 10_000 }, simMs: 20, warmMs: 15 };
let giant: StreamResult;
let split: StreamResult;

beforeAll(() => {
  giant = streamRun({ ...P4, policy: "giant" });
  split = streamRun({ ...P4, policy: "split", reclamation: "epoch" });
  console.log(
    `iperf3 -R -P 4, 10 Gb/s: giant ${giant.mbps.toFixed(1)} Mbit/s (top lock ${giant.contentionRank[0]}), ` +
      `split ${split.mbps.toFixed(1)} Mbit/s (top lock ${split.contentionRank[0]}), ratio ${(split.mbps / giant.mbps).toFixed(2)}`,
  );
}, 60_000);

describe("claim 4: split scales four streams where giant serialises on softnet_lock", () => {
  it("gives split at least 1.5 times giant's aggregate throughput", () => {
    expect(split.mbps).toBeGreaterThan(1.5 * giant.mbps);
  });

  it("has giant serialised on softnet_lock", () => {
    expect(giant.contentionRank[0]).toBe("softnet_lock");
  });

  it("delivers every stream whole and in order", () => {
    expect(giant.broken + split.broken).toBe(0);
  });
});
