import {
  DUT_ADDR,
  SOCK_DGRAM,
  sys_bind,
  sys_recvfrom,
  sys_select,
  sys_sendto,
  sys_socket,
  uio,
} from "@smpnet/netinet";
import { PRI_USER, roundNetCosts, roundNic, roundProfile, sleep } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { kernel } from "../src/index.js";

describe("select(2) on sockets", () => {
  it("times out with nothing ready, wakes when a datagram arrives, and reports send space", () => {
    const k = kernel({
      seed: 1,
      profile: roundProfile(2),
      nic: roundNic(),
      netCosts: roundNetCosts(),
      softint: { variant: "netbsd" },
      policy: "giant",
    });
    const log: string[] = [];
    k.dut.host.kthread_create({
      name: "selector",
      pri: PRI_USER,
      user: true,
      cpu: 1,
      bound: true,
      *body() {
        const so = yield* sys_socket(k.dut, SOCK_DGRAM);
        yield* sys_bind(so, 0, 7);
        let r = yield* sys_select(k.dut, { read: [so], write: [] }, 50_000);
        log.push(`timeout at ${Math.round(k.sim.now / 1_000)} us: ${r.read.length} readable`);
        r = yield* sys_select(k.dut, { read: [so], write: [so] }, 0);
        log.push(`${r.read.length} readable, ${r.write.length} writable`);
        r = yield* sys_select(k.dut, { read: [so], write: [] }, 0);
        const at = Math.round(k.sim.now / 1_000);
        const u = new uio();
        u.uio_resid = 100;
        yield* sys_recvfrom(so, u);
        log.push(`woken at ${at} us for datagram ${u.data_id}`);
      },
    });
    k.peer.host.kthread_create({
      name: "sender",
      pri: PRI_USER,
      user: true,
      *body() {
        const so = yield* sys_socket(k.peer, SOCK_DGRAM);
        yield* sleep("wait", 200_000);
        const u = new uio();
        Object.assign(u, { uio_resid: 10, data_id: 42, addr: DUT_ADDR, port: 7 });
        yield* sys_sendto(so, u);
      },
    });
    k.sim.run(1_000_000);
    // started a few us in (socket, bind), then 50 us of timeout
    expect(log[0]).toMatch(/^timeout at [56][0-9] us: 0 readable$/);
    // a UDP socket always has send space: select returns at once with it writable
    expect(log[1]).toBe("0 readable, 1 writable");
    // the datagram left the peer at 200 us; the selector wakes once it is in so_rcv
    expect(log[2]).toMatch(/^woken at 2[0-9][0-9] us for datagram 42$/);
  });
});
