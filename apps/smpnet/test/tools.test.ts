import { describe, expect, it } from "vitest";
import { smpnet } from "./cli.js";

describe("smpnet iperf3 and smpnet netperf", () => {
  it("print exactly what the tool prints and exit with its status", () => {
    const r = smpnet("netperf", "-t", "FOO_BAR");
    expect(r.stdout).toBe(
      "The test you requested (FOO_BAR) is unknown to this netperf.\n" +
        "Please verify that you have the correct test name, \n" +
        "and that test family has been compiled into this netperf.\n",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
  });

  it("run iperf3 on the ER-4 with giant: the client on the peer, the server on the system under test", () => {
    const r = smpnet("iperf3", "--seed", "2", "-c", "dut", "-n", "200K");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("Connecting to host dut, port 5201");
    expect(lines[1]).toMatch(
      /^\[ {2}5\] local 10\.0\.0\.2 port \d+ connected to 10\.0\.0\.1 port 5201$/,
    );
    expect(lines.slice(-3)).toEqual(["", "iperf Done.", ""]);
  });

  it("refuse a kernel option they cannot take, naming it", () => {
    const r = smpnet("iperf3", "--cpus", "9", "-c", "dut");
    expect(r.stderr).toBe(
      'smpnet: --cpus: expected an integer from 1 to 4 (the er4 has 4), got "9"\n',
    );
    expect(r.code).toBe(2);
    const p = smpnet("netperf", "--policy", "solock", "-t", "TCP_RR");
    expect(p.stderr).toBe(
      'smpnet: --policy: no policy named "solock"; choose one of giant, net-mpsafe, solock-v1, split\n',
    );
    expect(p.code).toBe(2);
  });
});
