import { describe, expect, it } from "vitest";
import { iperf3 } from "../src/index.js";
import { reference, schemaDiff, testKernel } from "./fixtures.js";

/*
 * Each reference JSON beside its flags on the lab. `-t 3` becomes a byte
 * count (-n) or block count (-k): the key paths and types do not depend on
 * the test's length, and a simulated second costs many wall seconds. The
 * `-w 256K` reference runs with -w 128K: NetBSD's sb_max (256 KiB) refuses
 * 256 KiB buffers, as the errors test shows.
 */
const CASES: [file: string, flags: string[]][] = [
  ["tcp.json", ["-c", "dut", "-n", "2M", "-J"]],
  ["tcp-R.json", ["-c", "dut", "-R", "-n", "2M", "-J"]],
  ["tcp-P2.json", ["-c", "dut", "-P", "2", "-n", "2M", "-J"]],
  ["tcp-l16K-w256K.json", ["-c", "dut", "-l", "16K", "-w", "128K", "-n", "2M", "-J"]],
  ["udp.json", ["-u", "-b", "100M", "-c", "dut", "-k", "100", "-J"]],
];

describe("iperf3 -J has the real outputs' key paths and value types", () => {
  for (const [file, flags] of CASES) {
    it(`${file}: iperf3 ${flags.join(" ")}`, () => {
      const r = iperf3(testKernel(), flags);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(schemaDiff(JSON.parse(reference("iperf3", file)), JSON.parse(r.stdout))).toEqual([]);
    });
  }

  it("error-refused.json: no server on the port", () => {
    const r = iperf3(testKernel(), ["-c", "dut", "-p", "5377", "-J"], { server: false });
    expect(r.status).toBe(1);
    const ours = JSON.parse(r.stdout);
    expect(ours.error).toBe("unable to connect to server: Connection refused");
    expect(schemaDiff(JSON.parse(reference("iperf3", "error-refused.json")), ours)).toEqual([]);
  });
});
