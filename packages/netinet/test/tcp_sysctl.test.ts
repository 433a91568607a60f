import { describe, expect, it } from "vitest";
import { sysctl_write, TCP_SYSCTLS, tcp_sysctl_init, validatePreset } from "../src/index.js";

describe("TCP sysctls and their presets", () => {
  it("each preset gives every value with its source; the kernels differ where their sources do", () => {
    const nb = tcp_sysctl_init("netbsd", undefined, "sysctl");
    const fb = tcp_sysctl_init("freebsd", undefined, "sysctl");
    for (const def of Object.values(TCP_SYSCTLS)) {
      expect(def.netbsd[1]).not.toBe("");
      expect(def.freebsd[1]).not.toBe("");
    }
    expect([nb["net.inet.tcp.recvspace"], fb["net.inet.tcp.recvspace"]]).toEqual([32_768, 65_536]);
    expect([nb["kern.ipc.maxsockbuf"], fb["kern.ipc.maxsockbuf"]]).toEqual([262_144, 2_097_152]);
    expect([nb["net.inet.tcp.delacktime"], fb["net.inet.tcp.delacktime"]]).toEqual([200, 40]);
    expect([nb["net.inet.tcp.rexmit_min"], fb["net.inet.tcp.rexmit_min"]]).toEqual([1_000, 30]);
    expect([nb["net.inet.tcp.initcwnd_segments"], fb["net.inet.tcp.initcwnd_segments"]]).toEqual([
      4, 10,
    ]);
  });

  it("single values change; the preset's object is not shared", () => {
    const v = tcp_sysctl_init("freebsd", { "net.inet.tcp.delacktime": 100 }, "sysctl");
    expect(v["net.inet.tcp.delacktime"]).toBe(100);
    expect(tcp_sysctl_init("freebsd", undefined, "sysctl")["net.inet.tcp.delacktime"]).toBe(40);
    sysctl_write(v, "freebsd", "net.inet.tcp.insecure_rst", 1, "sysctl -w");
    expect(v["net.inet.tcp.insecure_rst"]).toBe(1);
  });

  for (const [f, message] of [
    [
      () => validatePreset("linux", "defaults"),
      'defaults: "linux" is not a preset; choose netbsd or freebsd',
    ],
    [
      () => tcp_sysctl_init("netbsd", { "net.inet.tcp.nope": 1 }, "sysctl"),
      "sysctl.net.inet.tcp.nope: no sysctl net.inet.tcp.nope in the model",
    ],
    [
      () => tcp_sysctl_init("netbsd", { "net.inet.tcp.rfc1323": 2 }, "sysctl"),
      "net.inet.tcp.rfc1323 takes a whole number from 0 to 1; got 2",
    ],
    [
      () => tcp_sysctl_init("netbsd", { "net.inet.tcp.msl": 1.5 }, "sysctl"),
      "net.inet.tcp.msl takes a whole number from 1 to 600000; got 1.5",
    ],
    [
      () => tcp_sysctl_init("freebsd", { "net.inet.tcp.ecn.enable": 1 }, "sysctl"),
      "net.inet.tcp.ecn.enable = 1 is not modelled",
    ],
    [
      () => tcp_sysctl_init("freebsd", { "net.inet.tcp.iss_hash": 0 }, "sysctl"),
      "sysctl.net.inet.tcp.iss_hash: net.inet.tcp.iss_hash is 1 under the freebsd preset",
    ],
    [
      () => tcp_sysctl_init("netbsd", { "net.inet.tcp.sendbuf_auto": 2 }, "sysctl"),
      "sysctl.net.inet.tcp.sendbuf_auto: net.inet.tcp.sendbuf_auto takes a whole number from 0 to 1; got 2",
    ],
    [
      () => tcp_sysctl_init("freebsd", { "net.inet.tcp.recvbuf_max": 0 }, "sysctl"),
      "sysctl.net.inet.tcp.recvbuf_max: net.inet.tcp.recvbuf_max takes a whole number from 1 to 1073741824; got 0",
    ],
  ] as const) {
    it(`refuses bad input: ${message}`, () => expect(f).toThrow(message));
  }

  it("iss_hash may be switched under netbsd, whose tcp_new_iss1 has both forms", () => {
    expect(
      tcp_sysctl_init("netbsd", { "net.inet.tcp.iss_hash": 1 }, "s")["net.inet.tcp.iss_hash"],
    ).toBe(1);
  });

  it("an action sysctl (the host-cache flush) takes any allowed value", () => {
    const v = tcp_sysctl_init("freebsd", { "net.inet.tcp.hostcache.purgenow": 1 }, "sysctl");
    expect(v["net.inet.tcp.hostcache.purgenow"]).toBe(1);
  });
});
