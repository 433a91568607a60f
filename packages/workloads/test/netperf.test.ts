import { describe, expect, it } from "vitest";
import { netperf } from "../src/index.js";
import { layout, reference, referenceKernel, testKernel, watchConnections } from "./fixtures.js";

/*
 * Each reference beside the lab's run of its test. The TCP_STREAM ones
 * run with their own -l 2 on the JSON test's kernel (ideal CPUs, a 100
 * Mbit/s wire). The others take a negative length (netperf's count of
 * bytes or transactions), which prints the same lines: two simulated
 * seconds of TCP_RR cost 15 wall seconds, of TCP_CRR 70, of UDP_STREAM at
 * 1 GbE 10, even on ideal CPUs (a loaded 2-core machine).
 */
const CASES: [file: string, flags: string[]][] = [
  ["tcp-stream.txt", ["-H", "dut", "-l", "2", "-t", "TCP_STREAM"]],
  [
    "tcp-stream-m16K.txt",
    [
      "-H",
      "dut",
      "-l",
      "2",
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
      const timed = Number(flags[flags.indexOf("-l") + 1]) > 0;
      const k = timed ? referenceKernel(flags) : testKernel();
      const r = netperf(k, flags);
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

  it("a byte-count TCP_STREAM ends when netserver has read every byte and closed: the elapsed time covers the transfer", () => {
    const r = netperf(testKernel(), ["-H", "dut", "-l", "-65536", "-t", "TCP_STREAM", "-P", "0"]);
    expect(r.status).toBe(0);
    expect(r.result!.remoteBytes).toBe(65_536);
    // within the wire's 941.5 Mbit/s of payload, not the rate of filling a socket buffer
    const mbps = Number(r.stdout.trim().split(/ +/).at(-1));
    expect(mbps).toBeGreaterThan(500);
    expect(mbps).toBeLessThan(941.5);
  });

  it("TCP_CRR binds each connection to the next port of netperf's range (-- -p min,max), from a seeded start", () => {
    const ports = (seed: number, extra: string[]) => {
      const k = testKernel({ seed });
      const conns = watchConnections(k, k.peer);
      const r = netperf(k, ["-H", "dut", "-l", "-6", "-t", "TCP_CRR", ...extra]);
      expect(r.status).toBe(0);
      // the control connection's port is ephemeral; the data connections' are netperf's
      return [...conns.values()].slice(1).map((tp) => tp.t_inpcb.inp_lport);
    };
    for (const seed of [1, 2]) {
      const p = ports(seed, ["--", "-p", "5000,5010"]);
      expect(p).toHaveLength(6);
      // consecutive, wrapping from 5009 to 5000
      for (let i = 1; i < p.length; i++)
        expect(p[i]).toBe(p[i - 1] === 5009 ? 5000 : p[i - 1]! + 1);
      for (const x of p) expect(x >= 5000 && x < 5010).toBe(true);
    }
    expect(ports(1, ["--", "-p", "5000,5010"])[0]).not.toBe(ports(2, ["--", "-p", "5000,5010"])[0]);
    const d = ports(3, []);
    expect(d[0]! >= 5000 && d[0]! < 65_535).toBe(true);
    expect(d[1]).toBe(d[0]! + 1);
  });

  it("TCP_CRR over three client ports (-- -p 5000,5003): each port's next SYN recycles netserver's TIME_WAIT, under both kernels", () => {
    for (const defaults of ["netbsd", "freebsd"] as const) {
      const k = testKernel({ defaults });
      const r = netperf(k, ["-H", "dut", "-l", "-40", "-t", "TCP_CRR", "--", "-p", "5000,5003"]);
      expect(r.status, defaults).toBe(0);
      expect(r.result!.transactions).toBe(40);
      // netserver closes first: a SYN below the old rcv_nxt would wait out 2MSL (60 s)
      expect(r.result!.elapsedS).toBeLessThan(0.1);
    }
  });

  it("TCP_CRR on one client port (-- -p 5000,5001): connect meets the port's last connection in LAST_ACK and netperf tries again, as its loop costs time", () => {
    const k = testKernel();
    const conns = watchConnections(k, k.peer);
    const r = netperf(k, ["-H", "dut", "-l", "-20", "-t", "TCP_CRR", "--", "-p", "5000,5001"]);
    expect(r.status).toBe(0);
    expect(r.result!.transactions).toBe(20);
    const ports = [...conns.values()].slice(1).map((tp) => tp.t_inpcb.inp_lport);
    expect(new Set(ports)).toEqual(new Set([5000]));
    expect(k.peer.tcpstat.tcps_connattempt).toBe(21);
  });

  it("UDP_STREAM with messages larger than the MTU: netperf's send error and exit status (the model does not fragment)", () => {
    const r = netperf(testKernel(), ["-H", "dut", "-l", "1", "-t", "UDP_STREAM"]);
    expect([r.stdout, r.stderr, r.status]).toEqual([
      "send_data: data send error: Message too long (errno 40)\n",
      "netperf: send_omni: send_data failed: Message too long\n",
      1,
    ]);
  });
});
