import {
  DUT_ADDR,
  EADDRINUSE,
  PEER_ADDR,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_DGRAM,
  SOL_SOCKET,
  type socket,
  sys_bind,
  sys_connect,
  sys_sendto,
  sys_setsockopt,
  sys_socket,
  uio,
} from "@smpnet/netinet";
import { PRI_USER, sleep } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { iperf3 } from "../src/index.js";
import { testKernel } from "./fixtures.js";

/*
 * UDP port sharing as NetBSD's in_pcbbind allows it, and iperf3's UDP
 * server, which needs it for -P > 1 (iperf_udp_accept connects the
 * listener to a client and binds a new one to the same port).
 */
describe("UDP sockets sharing a port", () => {
  it("bind: a port in use is refused, SO_REUSEADDR passes a connected pcb, SO_REUSEPORT on both shares it; input prefers the connected pcb", () => {
    const k = testKernel();
    const log: (number | string)[] = [];
    let listener: socket | null = null;
    let connected: socket | null = null;
    k.dut.host.kthread_create({
      name: "binder",
      pri: PRI_USER,
      user: true,
      *body() {
        const opt = function* (so: socket, name: number) {
          yield* sys_setsockopt(so, SOL_SOCKET, name, 1);
        };
        const a = yield* sys_socket(k.dut, SOCK_DGRAM);
        log.push(yield* sys_bind(a, 0, 5201));
        const b = yield* sys_socket(k.dut, SOCK_DGRAM);
        yield* opt(b, SO_REUSEADDR);
        log.push(yield* sys_bind(b, 0, 5201)); // a is bound, not connected: EADDRINUSE
        yield* sys_connect(a, PEER_ADDR, 7000);
        log.push(yield* sys_bind(b, 0, 5201)); // a is connected now
        const c = yield* sys_socket(k.dut, SOCK_DGRAM);
        log.push(yield* sys_bind(c, 0, 5201)); // without an option, any pcb on the port counts
        const d = yield* sys_socket(k.dut, SOCK_DGRAM);
        const e = yield* sys_socket(k.dut, SOCK_DGRAM);
        yield* opt(d, SO_REUSEPORT);
        yield* opt(e, SO_REUSEPORT);
        log.push(yield* sys_bind(d, 0, 6000), yield* sys_bind(e, 0, 6000));
        listener = b;
        connected = a;
      },
    });
    k.peer.host.kthread_create({
      name: "sender",
      pri: PRI_USER,
      user: true,
      *body() {
        yield* sleep("wait", 1_000_000);
        for (const [port, id] of [
          [7000, 1],
          [7001, 2],
        ] as const) {
          const so = yield* sys_socket(k.peer, SOCK_DGRAM);
          yield* sys_bind(so, 0, port);
          const u = new uio();
          Object.assign(u, { uio_resid: 10, data_id: id, addr: DUT_ADDR, port: 5201 });
          yield* sys_sendto(so, u);
        }
      },
    });
    k.sim.run(3_000_000);
    expect(log).toEqual([0, EADDRINUSE, 0, EADDRINUSE, 0, 0]);
    // the datagram from the connected pcb's peer went to it, the other to the unconnected one
    const first = (so: socket | null) => so?.so_rcv.sb_mb?.data_id;
    expect([first(connected), first(listener)]).toEqual([1, 2]);
  });

  it("iperf3 -u -P 4 -b 100M: each stream's datagrams reach its own server socket, none lost", () => {
    const flags = ["-c", "dut", "-u", "-P", "4", "-b", "100M", "-k", "2000", "--get-server-output"];
    const r = iperf3(testKernel(), flags);
    expect([r.stderr, r.status]).toEqual(["", 0]);
    const [client, server] = r.stdout.split("Server output:");
    // the server's four sockets, each on port 5201 and connected to one of the client's
    const ports = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]).sort();
    const clientPorts = ports(client!, /local \S+ port (\d+) connected to \S+ port 5201/g);
    const serverPorts = ports(server!, /local \S+ port 5201 connected to \S+ port (\d+)/g);
    expect(clientPorts).toHaveLength(4);
    expect(serverPorts).toEqual(clientPorts);
    // every stream's datagrams arrived at its socket, in order, none lost
    for (const [i, s] of r.server!.streams.entries()) {
      const c = r.client!.streams[i]!;
      expect([s.packetCount, s.cntError, s.outOfOrder, s.bytes]).toEqual([500, 0, 0, c.bytes]);
    }
    expect(server!.match(/ 0\/500 \(0%\) {2}$/gm)).toHaveLength(4);
    // -b is each stream's rate (iperf_check_throttle), not the test's
    const senders = client!.match(/^\[ +\d+\].* (\d+) Mbits\/sec .*sender$/gm)!;
    expect(senders.map((l) => Number(/ (\d+) Mbits/.exec(l)![1]))).toEqual([100, 100, 100, 100]);
  });
});
