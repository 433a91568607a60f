import {
  DUT_ADDR,
  type NetStack,
  netProbes,
  PEER_ADDR,
  SOCK_STREAM,
  sys_bind,
  sys_connect,
  sys_socket,
  TH_SYN,
  tcpstates,
} from "@smpnet/netinet";
import { NS_PER_MS, PRI_USER, roundNetCosts, roundNic, roundProfile, sleep } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { kernel } from "../src/index.js";

describe("simultaneous open (RFC 793 3.4, figure 8)", () => {
  it("two connects that cross both pass SYN_RECEIVED and establish", () => {
    const k = kernel({
      seed: 3,
      profile: roundProfile(2),
      nic: roundNic(),
      netCosts: roundNetCosts(),
      softint: { variant: "netbsd" },
      policy: "giant",
      // a long cable: each SYN leaves before the other arrives
      wire: { delayNs: 50_000 },
    });
    const states = new Map<string, string[]>();
    netProbes(k.sim).tcp_state.subscribe((_t, host, _so, _from, to) => {
      states.set(host.name, [...(states.get(host.name) ?? []), tcpstates[to]!]);
    });
    // the sequence number of every SYN each host sends: its SYN and its SYN-ACK both carry ISS
    const synSeqs = new Map<string, number[]>();
    netProbes(k.sim).tcp_output.subscribe((_t, cpu, _id, seq, _ack, flags) => {
      if (flags & TH_SYN) synSeqs.set(cpu.host.name, [...(synSeqs.get(cpu.host.name) ?? []), seq]);
    });
    const errors: number[] = [];
    const open = (stack: NetStack, lport: number, faddr: number, fport: number) =>
      stack.host.kthread_create({
        name: `open-${stack.host.name}`,
        pri: PRI_USER,
        user: true,
        *body() {
          const so = yield* sys_socket(stack, SOCK_STREAM);
          yield* sys_bind(so, 0, lport);
          yield* sleep("start", NS_PER_MS);
          errors.push(yield* sys_connect(so, faddr, fport));
        },
      });
    open(k.dut, 7_000, PEER_ADDR, 7_001);
    open(k.peer, 7_001, DUT_ADDR, 7_000);
    k.sim.run(100 * NS_PER_MS);
    expect(errors).toEqual([0, 0]);
    expect(states.get("dut")).toEqual(["SYN_SENT", "SYN_RECEIVED", "ESTABLISHED"]);
    expect(states.get("peer")).toEqual(["SYN_SENT", "SYN_RECEIVED", "ESTABLISHED"]);
    for (const host of ["dut", "peer"]) {
      const seqs = synSeqs.get(host)!;
      expect(seqs.length).toBe(2);
      expect(seqs[1]).toBe(seqs[0]);
    }
  });
});
