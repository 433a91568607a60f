import { describe, expect, it } from "vitest";
import { netperf } from "../src/index.js";
import { layout, reference, testKernel } from "./fixtures.js";

/*
 * Each reference beside the lab's run of its test. `-l 2` becomes a
 * negative length (netperf's count of bytes or transactions), which prints
 * the same lines at a fraction of the simulated time.
 */
const CASES: [file: string, flags: string[]][] = [
  ["tcp-stream.txt", ["-H", "dut", "-l", "-2000000", "-t", "TCP_STREAM"]],
  [
    "tcp-stream-m16K.txt",
    [
      "-H",
      "dut",
      "-l",
      "-2000000",
      "-t",
      "TCP_STREAM",
      "--",
      "-m",
      "16384",
      "-s",
      "131072",
      "-S",
      "131072",
    ],
  ],
  ["tcp-rr.txt", ["-H", "dut", "-l", "-200", "-t", "TCP_RR"]],
  ["tcp-crr.txt", ["-H", "dut", "-l", "-20", "-t", "TCP_CRR"]],
  ["udp-stream.txt", ["-H", "dut", "-l", "-1400000", "-t", "UDP_STREAM", "--", "-m", "1400"]],
];

describe("netperf's classic output, line for line", () => {
  for (const [file, flags] of CASES) {
    it(`${file}: netperf ${flags.join(" ")}`, () => {
      const r = netperf(testKernel(), flags);
      expect(r.status).toBe(0);
      const real = reference("netperf", file).split("\n");
      expect(layout(r.stdout)).toEqual(layout(`${real.slice(1, -2).join("\n")}\n`));
    });
  }

  it("-P 0 prints the result lines alone", () => {
    const r = netperf(testKernel(), ["-P", "0", "-H", "dut", "-l", "-50", "-t", "TCP_RR"]);
    expect(r.stdout.split("\n")).toHaveLength(3);
    expect(r.stdout).toMatch(
      /^32768 {2}32768 {2}1 {8}1 {7}\d\.\d\d {5}\d+\.\d\d {3}\n32768 {2}32768 \n$/,
    );
  });

  it("TCP_RR counts the transactions netserver answered; TCP_CRR opens and closes a connection for each", () => {
    const k = testKernel();
    const r = netperf(k, ["-H", "dut", "-l", "-30", "-t", "TCP_CRR"]);
    expect(r.result!.transactions).toBe(30);
    expect(r.result!.remoteRecvCalls).toBe(30);
    expect(k.dut.tcpstat.tcps_accepts).toBe(31); // the control connection and one per transaction
  });
});
