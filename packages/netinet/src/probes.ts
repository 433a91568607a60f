/*
 * netinet's probes on the simulation's bus, defined once per simulation.
 * Every packet event carries the packet's id, so a trace can follow one
 * packet from the NIC to the user's read. Emit sites are
 * `if (p.on) p.emit(...)`, free while nobody listens.
 */

import type { Cpu, Host, Probe, Simulation } from "@smpnet/sim";

/** A segment's event: its header fields and length, and the connection's cwnd and srtt (ns) then. */
type SegmentEvent = [
  cpu: Cpu,
  id: number,
  seq: number,
  ack: number,
  flags: number,
  len: number,
  cwnd: number,
  srtt: number,
];

export interface NetProbes {
  /** The driver took a received frame off its ring (interrupt context). */
  nic_rx: Probe<[cpu: Cpu, id: number, bytes: number]>;
  /** The driver handed a frame to the wire. */
  nic_tx: Probe<[cpu: Cpu, id: number, bytes: number]>;
  /** ether_input queued the packet for the network softint; `queued` false if it dropped. */
  pktq_enqueue: Probe<[cpu: Cpu, id: number, queued: boolean]>;
  /** ip_input starts on the packet. */
  ip_input: Probe<[cpu: Cpu, id: number]>;
  /** The packet was appended to a socket's receive buffer. */
  deliver: Probe<[cpu: Cpu, id: number, bytes: number]>;
  /** A user's read copied the packet out. */
  user_read: Probe<[cpu: Cpu, id: number, bytes: number]>;
  /** A packet was dropped; `reason` names the counter it went to. */
  drop: Probe<[host: Host, id: number, reason: string]>;
  /**
   * tcp_input took a segment with a good header, after the pcb lookup (before any check of its
   * sequence numbers); `cwnd` and `srtt` (ns) are the connection's then, 0 with none.
   */
  tcp_input: Probe<SegmentEvent>;
  /** tcp_output or tcp_respond sent a segment; `cwnd` and `srtt` (ns) are the sender's then (0 for tcp_respond). */
  tcp_output: Probe<SegmentEvent>;
  /** tcp_output sent data again: `cause` from the SACK scoreboard, after a timeout, in fast recovery, or other. */
  tcp_retransmit: Probe<
    [
      cpu: Cpu,
      id: number,
      seq: number,
      len: number,
      cwnd: number,
      srtt: number,
      cause: "sack" | "timeout" | "fast" | "other",
    ]
  >;
  /** A connection changed state (tcp_fsm.ts numbers), with its cwnd and srtt (ns) then. */
  tcp_state: Probe<[host: Host, so: number, from: number, to: number, cwnd: number, srtt: number]>;
}

const bySim = new WeakMap<Simulation, NetProbes>();

export function netProbes(sim: Simulation): NetProbes {
  let p = bySim.get(sim);
  if (p === undefined) {
    const bus = sim.probes;
    p = {
      nic_rx: bus.define("net_nic_rx"),
      nic_tx: bus.define("net_nic_tx"),
      pktq_enqueue: bus.define("net_pktq_enqueue"),
      ip_input: bus.define("net_ip_input"),
      deliver: bus.define("net_deliver"),
      user_read: bus.define("net_user_read"),
      drop: bus.define("net_drop"),
      tcp_input: bus.define("net_tcp_input"),
      tcp_output: bus.define("net_tcp_output"),
      tcp_retransmit: bus.define("net_tcp_retransmit"),
      tcp_state: bus.define("net_tcp_state"),
    };
    bySim.set(sim, p);
  }
  return p;
}
