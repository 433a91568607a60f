import { describe, expect, it } from "vitest";
import { iperf3 } from "../src/index.js";
import { layout, reference, referenceKernel, testKernel } from "./fixtures.js";

/*
 * The real text beside the lab's for the same flags, on the kernels of the
 * JSON test (ideal CPUs; a 100 Mbit/s wire for TCP): every line in the
 * real line's layout.
 */
describe("iperf3's text output, line for line", () => {
  it("tcp-R.txt: -R, the client receives", () => {
    const flags = ["-c", "dut", "-R", "-t", "3", "-i", "1"];
    const r = iperf3(referenceKernel(flags), flags);
    expect(r.status).toBe(0);
    expect(layout(r.stdout)).toEqual(layout(reference("iperf3", "tcp-R.txt")));
  });

  it("udp-R.txt: -u -b 100M -R", () => {
    const flags = ["-c", "dut", "-u", "-b", "100M", "-t", "3", "-R"];
    const r = iperf3(referenceKernel(flags), flags);
    expect(r.status).toBe(0);
    expect(layout(r.stdout)).toEqual(layout(reference("iperf3", "udp-R.txt")));
  });

  it("error-refused.txt: the message on stderr, exit status 1", () => {
    const r = iperf3(testKernel(), ["-c", "dut", "-p", "5377"], { server: false });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(reference("iperf3", "error-refused.txt"));
    expect(r.stdout).toBe(""); // iperf_on_connect prints only once connected
  });

  it("the client's sender lines carry Retr and Cwnd, and -P 2 adds [SUM] lines", () => {
    const r = iperf3(testKernel(), ["-c", "dut", "-P", "2", "-n", "2M"]);
    const lines = r.stdout.split("\n");
    expect(lines).toContain("[ ID] Interval           Transfer     Bitrate         Retr  Cwnd");
    expect(lines.filter((l) => l.startsWith("[SUM]")).map((l) => l.slice(-8).trim())).toEqual([
      "",
      "sender",
      "receiver",
    ]);
    expect(lines.at(-2)).toBe("iperf Done.");
  });
});
