import { describe, expect, it } from "vitest";
import { iperf3 } from "../src/index.js";
import { reference, referenceKernel, schemaDiff, testKernel } from "./fixtures.js";

/*
 * Each reference JSON beside a lab run with its flags, -t 3 included. The
 * runs use ideal CPUs and, for TCP, a 100 Mbit/s wire: a simulated second
 * of TCP at 1 GbE costs several wall seconds even on ideal CPUs (15 s for
 * -t 3 on a loaded 2-core machine), and the key paths and value types
 * depend on neither. The `-w 256K` reference runs with -w 128K: NetBSD's
 * sb_max (256 KiB) refuses 256 KiB buffers, as the errors test shows.
 */
const CASES: [file: string, flags: string[]][] = [
  ["tcp.json", ["-c", "dut", "-t", "3", "-J"]],
  ["tcp-R.json", ["-c", "dut", "-R", "-t", "3", "-i", "1", "-J"]],
  ["tcp-P2.json", ["-c", "dut", "-t", "3", "-P", "2", "-J"]],
  ["tcp-l16K-w256K.json", ["-c", "dut", "-t", "3", "-l", "16K", "-w", "128K", "-J"]],
  ["udp.json", ["-c", "dut", "-u", "-b", "100M", "-t", "3", "-J"]],
];

describe("iperf3 -J has the real outputs' key paths and value types", () => {
  for (const [file, flags] of CASES) {
    it(`${file}: iperf3 ${flags.join(" ")}`, () => {
      const r = iperf3(referenceKernel(flags), flags);
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
