import {
  DUT_ADDR,
  ECONNRESET,
  type NetKernel,
  seq_add,
  TCPS_ESTABLISHED,
  TH_RST,
  tcp_respond,
  type tcpcb,
} from "@smpnet/netinet";
import { NS_PER_MS, PRI_KTHREAD, sleep } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { tcpRun } from "./tcpfixtures.js";

/** The system under test's connected tcpcb (the accepted connection). */
function dutConnection(k: NetKernel): tcpcb {
  for (const chain of k.dut.tcbtable.byConnect) {
    for (const inp of chain) if (inp.inp_ppcb !== null) return inp.inp_ppcb;
  }
  throw new Error("no connection on the system under test");
}

describe("RST acceptance (RFC 5961 3.2)", () => {
  it("a RST inside the window but off rcv_nxt gets a challenge ACK; one at rcv_nxt resets the connection", () => {
    const seen: { state: number; acks: number }[] = [];
    const r = tcpRun({
      writes: [1_000],
      // the writer keeps the connection open while the RSTs come
      closeAfterMs: 500,
      limitMs: 1_000,
      before: (k) => {
        k.peer.host.kthread_create({
          name: "attacker",
          pri: PRI_KTHREAD,
          *body() {
            const rst = function* (offset: number) {
              const tp = dutConnection(k);
              const inp = tp.t_inpcb;
              const seq = seq_add(tp.rcv_nxt, offset);
              yield* tcp_respond(
                k.peer,
                null,
                DUT_ADDR,
                inp.inp_lport,
                inp.inp_fport,
                0,
                seq,
                TH_RST,
              );
              yield* sleep(ATTACK, 10 * NS_PER_MS);
              seen.push({ state: tp.t_state, acks: k.dut.tcpstat.tcps_sndacks });
            };
            yield* sleep(ATTACK, 100 * NS_PER_MS);
            const before = k.dut.tcpstat.tcps_sndacks;
            seen.push({ state: dutConnection(k).t_state, acks: before });
            yield* rst(100); // in the window, not at rcv_nxt
            yield* rst(0); // exactly rcv_nxt
          },
        });
      },
    });
    expect(seen.length).toBe(3);
    const [start, challenged, reset] = seen;
    expect(start!.state).toBe(TCPS_ESTABLISHED);
    // the challenge ACK, and the connection lives on
    expect(challenged!.state).toBe(TCPS_ESTABLISHED);
    expect(challenged!.acks).toBe(start!.acks + 1);
    // the reset: the reader learns of it
    expect(reset!.state).not.toBe(TCPS_ESTABLISHED);
    expect(r.readError).toBe(ECONNRESET);
    expect(r.bytesRead).toBe(1_000);
  });
});

const ATTACK = Symbol("attack");
