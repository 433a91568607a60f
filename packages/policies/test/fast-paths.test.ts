import { cnmipsNetCosts, er4, er4Nic } from "@smpnet/hw-octeon";
import {
  PEER_ADDR,
  SOCK_STREAM,
  sys_accept,
  sys_bind,
  sys_connect,
  sys_listen,
  sys_recvfrom,
  sys_sendto,
  sys_socket,
  uio,
} from "@smpnet/netinet";
import { PRI_USER } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { kernel, pcbReader, type ReclamationScheme } from "../src/index.js";

/**
 * One TCP stream sent by the ER-4 (the bench's tcp-bulk-er4, with a 1%
 * loss so that the timers fire and retransmit) for 40 simulated ms: what
 * came out, with every operation carried out in place or sent through the
 * loop. Through the loop every plain lock point and helper of the packet
 * path takes its slow path, at every step.
 */
function stream(policy: string, reclamation: ReclamationScheme | undefined, inPlace: boolean) {
  const k = kernel({
    seed: 3,
    profile: er4,
    nic: er4Nic,
    netCosts: cnmipsNetCosts,
    softint: { variant: "netbsd" },
    policy,
    ...(reclamation ? { reclamation } : {}),
    wire: { lossRate: 0.01 },
    inPlace,
  });
  let bytes = 0;
  k.peer.host.kthread_create({
    name: "iperf3-s",
    pri: PRI_USER,
    user: true,
    *body() {
      const ls = yield* sys_socket(k.peer, SOCK_STREAM);
      yield* sys_bind(ls, 0, 5201);
      yield* sys_listen(ls, 1);
      const so = yield* sys_accept(ls);
      if (typeof so === "number") return;
      const u = new uio();
      for (;;) {
        u.uio_resid = 131_072;
        if ((yield* sys_recvfrom(so, u)) !== 0 || u.data_len === 0) return;
        bytes += u.data_len;
      }
    },
  });
  k.dut.host.kthread_create({
    name: "iperf3-c",
    pri: PRI_USER,
    user: true,
    cpu: 1,
    *body() {
      const so = yield* sys_socket(k.dut, SOCK_STREAM);
      if ((yield* sys_connect(so, PEER_ADDR, 5201)) !== 0) return;
      const u = new uio();
      for (;;) {
        u.uio_resid = 131_072;
        if ((yield* sys_sendto(so, u)) !== 0) return;
      }
    },
  });
  k.sim.run(40_000_000);
  return {
    bytes,
    tcpstat: { ...k.dut.tcpstat },
    reader: { ...pcbReader(k.dut)?.stats },
    splits: k.dut.host.cpus.map((cpu) => cpu.timeSplit()),
  };
}

describe("the packet path's plain fast paths", () => {
  it.each([
    ["split", "epoch"],
    ["split", "pserialize"],
    ["solock-v1", "smr"],
    ["giant", undefined],
  ] as const)("give the run that the loop gives, to the bit: %s %s", (policy, reclamation) => {
    const looped = stream(policy, reclamation, false);
    const inPlace = stream(policy, reclamation, true);
    expect(looped.bytes).toBeGreaterThan(500_000);
    expect(looped.tcpstat.tcps_sndrexmitpack).toBeGreaterThan(0);
    if (policy === "split") expect(looped.reader.slowLocks).toBeGreaterThan(0);
    expect(inPlace).toEqual(looped);
  });
});
