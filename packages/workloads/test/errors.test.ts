import { netProbes, SOCK_STREAM, sys_bind, sys_socket } from "@smpnet/netinet";
import { PRI_USER } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { iperf3, netperf } from "../src/index.js";
import { reference, testKernel } from "./fixtures.js";

/** The first and last lines of iperf3 3.12's long usage (the whole text is in src/iperf3/usage.ts). */
function isLongUsage(text: string): boolean {
  const lines = text.split("\n");
  return (
    lines[0] === "Usage: iperf3 [-s|-c host] [options]" &&
    lines[1] === "       iperf3 [-h|--help] [-v|--version]" &&
    lines.includes(
      "  -O, --omit N              perform pre-test for N seconds and omit the pre-test statistics",
    ) &&
    lines.at(-2) === "Report bugs to:     https://github.com/esnet/iperf" &&
    lines.length === 97
  );
}

describe("bad flags get the tools' own messages and exit statuses", () => {
  const k = testKernel();
  for (const [flags, msg] of [
    [["-c", "dut", "-p", "0"], "port number must be between 1 and 65535 inclusive"],
    [
      ["-c", "dut", "-t", "5", "-n", "1M"],
      "only one test end condition (-t, -n, -k) may be specified",
    ],
    [["-c", "dut", "-R", "--bidir"], "cannot be both reverse and bidirectional"],
    [["-c", "dut", "-P", "200"], "number of parallel streams too large (maximum = 128)"],
    [["-c", "dut", "-i", "0.01"], "invalid report interval (min = 0.1, max = 60 seconds)"],
    [
      ["-c", "dut", "-u", "-l", "8"],
      "block size invalid (minimum = 12 bytes, maximum = 65507 bytes)",
    ],
    [["-t", "3"], "must either be a client (-c) or server (-s)"],
  ] as const) {
    it(`iperf3 ${flags.join(" ")}`, () => {
      const r = iperf3(k, flags);
      // main(): the message on stderr, then the long usage on stdout
      expect([r.stderr, r.status]).toEqual([`iperf3: parameter error - ${msg}\n\n`, 1]);
      expect(isLongUsage(r.stdout)).toBe(true);
    });
  }

  it("iperf3 with an option it does not know: getopt's message and the long usage on stderr, exit 1", () => {
    const r = iperf3(k, ["-c", "dut", "--frobnicate"]);
    const first = "iperf3: unrecognized option '--frobnicate'\n";
    expect([r.stderr.startsWith(first), r.stdout, r.status]).toEqual([true, "", 1]);
    expect(isLongUsage(r.stderr.slice(first.length))).toBe(true);
  });

  it("iperf3 -h: the long usage on stdout, exit 0", () => {
    const r = iperf3(k, ["-h"]);
    expect([r.stderr, r.status, isLongUsage(r.stdout)]).toEqual(["", 0, true]);
  });

  it("iperf3 -t 0.5: read with atoi as -t 0, a test without end, refused at once", () => {
    for (const t of ["0.5", "0"]) {
      const r = iperf3(k, ["-c", "dut", "-t", t]);
      expect([r.stdout, r.status]).toEqual(["", 1]);
      expect(r.stderr).toMatch(
        /^iperf3: -t 0 .* runs without end; give -t in whole seconds, or -n or -k\n$/,
      );
    }
    // an amount ends it, as in iperf3
    expect(iperf3(testKernel(), ["-c", "dut", "-t", "0.5", "-n", "100K"]).status).toBe(1);
    expect(iperf3(testKernel(), ["-c", "dut", "-n", "100K"]).status).toBe(0);
  });

  it("netperf -h or an unknown global flag: getopt's message and netperf's usage on stderr, exit 1", () => {
    const usage = (t: string) =>
      t.startsWith("\nUsage: netperf [global options] -- [test options] \n") &&
      t.endsWith("This is to retain previous netperf behaviour.\n");
    const h = netperf(k, ["-h"]);
    expect([h.stdout, h.status, usage(h.stderr)]).toEqual(["", 1, true]);
    const q = netperf(k, ["-H", "dut", "-q"]);
    expect([q.stdout, q.status]).toEqual(["", 1]);
    expect(q.stderr.startsWith("netperf: invalid option -- 'q'\n")).toBe(true);
    expect(usage(q.stderr.slice("netperf: invalid option -- 'q'\n".length))).toBe(true);
  });

  it("netperf -- -h: the test options' usage on stdout, exit 1", () => {
    const r = netperf(k, ["-H", "dut", "-t", "TCP_RR", "--", "-h"]);
    expect([r.stderr, r.status]).toEqual(["", 1]);
    expect(r.stdout).toMatch(
      /^\nUsage: netperf \[global options\] -- \[test options\] \n\nOMNI and Migrated BSD Sockets Test Options:\n/,
    );
    expect(r.stdout).toContain(
      "    -p min[,max]      Set the min/max port numbers for TCP_CRR, TCP_TRR\n",
    );
  });

  it("netperf with a test-specific flag it does not know: getopt's complaint, and the test runs", () => {
    const r = netperf(k, ["-H", "dut", "-l", "-100", "-t", "TCP_RR", "-P", "0", "--", "-q"]);
    expect([r.stderr, r.status]).toEqual(["netperf: invalid option -- 'q'\n", 0]);
    expect(r.result!.transactions).toBe(100);
  });

  it("netperf with an unknown test (bad-test.txt)", () => {
    const r = netperf(k, ["-H", "dut", "-l", "2", "-t", "FOO_BAR"]);
    const real = reference("netperf", "bad-test.txt").split("\n");
    expect(r.stdout).toBe(`${real.slice(1, -2).join("\n")}\n`);
    expect(r.status).toBe(1);
  });
});

describe("options the modelled TCP takes", () => {
  it("-M 1000: TCP_MAXSEG caps the data segments (988 bytes beside the timestamps)", () => {
    const k = testKernel();
    let largest = 0;
    netProbes(k.sim).tcp_output.subscribe((_t, cpu, _id, _seq, _ack, _flags, len) => {
      if (cpu.host === k.peer.host) largest = Math.max(largest, len);
    });
    const r = iperf3(k, ["-c", "dut", "-M", "1000", "-n", "1M"]);
    expect([r.stderr, r.status]).toEqual(["", 0]);
    expect(largest).toBe(988);
  });
});

describe("a workload the assembled kernel cannot run says why", () => {
  it("-w 256K: NetBSD's sb_max (256 KiB, less the mbufs' share) refuses the buffer", () => {
    const r = iperf3(testKernel(), ["-c", "dut", "-w", "256K", "-n", "1M"]);
    expect(r.stderr).toBe(
      "iperf3: error - unable to set socket buffer size: No buffer space available\n",
    );
    expect(r.status).toBe(1);
  });

  it("a port in use on the system under test: the server says why the client got nowhere", () => {
    const k = testKernel();
    k.dut.host.kthread_create({
      name: "squatter",
      pri: PRI_USER,
      user: true,
      *body() {
        const so = yield* sys_socket(k.dut, SOCK_STREAM);
        yield* sys_bind(so, 0, 5201); // bound, not listening: tcp_input answers a SYN with RST
      },
    });
    k.sim.run(100_000);
    const r = iperf3(k, ["-c", "dut", "-n", "1M"]);
    expect(r.stderr).toBe(
      "iperf3: error - unable to connect to server: Connection refused\n" +
        "(iperf3 -s on dut: unable to start listener for connections: Address already in use)\n",
    );
    expect(r.status).toBe(1);
  });

  it("-C: a module the kernel has is set on both ends and reported; one it lacks is refused", () => {
    const r = iperf3(testKernel(), ["-c", "dut", "-C", "cubic", "-n", "1M", "-J"]);
    expect(r.status).toBe(0);
    const end = JSON.parse(r.stdout).end;
    expect([end.sender_tcp_congestion, end.receiver_tcp_congestion]).toEqual(["cubic", "cubic"]);
    const plain = JSON.parse(iperf3(testKernel(), ["-c", "dut", "-n", "1M", "-J"]).stdout).end;
    expect(plain.sender_tcp_congestion).toBe("newreno");
    const bbr = iperf3(testKernel(), ["-c", "dut", "-C", "bbr", "-n", "1M"]);
    expect(bbr.stderr).toBe(
      "iperf3: error - unable to set TCP_CONGESTION: Supplied congestion control algorithm not supported on this host\n",
    );
    expect(bbr.status).toBe(1);
  });

  it("netperf with no netserver on the port (refused.txt): two lines and exit status 255", () => {
    const r = netperf(
      testKernel(),
      ["-H", "10.0.0.1", "-p", "12999", "-l", "1", "-t", "TCP_STREAM"],
      {
        server: false,
      },
    );
    const real = reference("netperf", "refused.txt").split("\n");
    expect(r.stdout).toBe(`${real.slice(1, -2).join("\n").replaceAll("127.0.0.1", "10.0.0.1")}\n`);
    expect(r.status).toBe(255);
  });
});
