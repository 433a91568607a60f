/*
 * One host's netinet: its mbuf pools, its interface and driver, the network
 * softint's queue into ip_input, the UDP and TCP pcb tables, the counters, and the
 * locks its policy put at the lock points. netinet_attach builds it on a
 * host whose softints are up (softint_init).
 */

import { pool_cache_init } from "@smpnet/core";
import {
  type Host,
  IPL_NONE,
  type NetCosts,
  type Nic,
  SimError,
  type Simulation,
  validateNetCosts,
  validateNic,
} from "@smpnet/sim";
import {
  HZ_DEFAULT,
  IFQ_MAXLEN,
  type PktqRpsHashFunc,
  pktq_create,
  pktq_rps_hash_curcpu,
  pktq_rps_hash_zero,
  type pktqueue_t,
} from "@smpnet/softint";
import { INPCB_BYTES, NMBCLUSTERS_DEFAULT } from "./constants.js";
import { RPS_HASHES, type RpsHash } from "./flowhash.js";
import { type IfCapEnable, ifnet } from "./if.js";
import { inpcbtable } from "./in_pcb.js";
import { ip_input, ipintr_drain } from "./ip_input.js";
import { type NetLocking, type NetPolicy, validateLocking, validatePolicy } from "./lockpoints.js";
import { MbufPools, type mbuf } from "./mbuf.js";
import { type NetProbes, netProbes } from "./probes.js";
import { ipstat, udpstat } from "./stats.js";
import { tcp_cc_default, tcp_congctl_lookup, tcp_congctls } from "./tcp_cc.js";
import type { tcp_congctl } from "./tcp_congctl.js";
import { TCP_FAULTS, type TcpFault } from "./tcp_fault.js";
import { tcp_iss_state } from "./tcp_iss.js";
import {
  type SysctlPreset,
  type TcpSysctlValues,
  tcp_sysctl_init,
  validatePreset,
} from "./tcp_sysctl.js";
import { tcpstat } from "./tcp_var.js";

export interface NetStackOptions {
  /** The host's IPv4 address, as a number (10.0.0.1 is 0x0a000001). */
  addr: number;
  nic: Nic;
  netCosts: NetCosts;
  policy: NetPolicy;
  /** The CPU each receive queue interrupts (default: all on CPU 0). */
  rxCpus?: readonly number[] | undefined;
  /**
   * Which CPU's queue ip_input takes a packet from (net.ether.rps_hash):
   * "zero" (default, a GENERIC kernel's pktq_rps_hash_zero: every packet on
   * CPU 0), "curcpu" (NET_MPSAFE's: the CPU that took the interrupt) or
   * "flow" (a hash of the 4-tuple, as pktq_rps_hash_toeplitz).
   */
  rpsHash?: RpsHash | undefined;
  /** The checksum offloads the kernel enables (default none, as NetBSD; see IfCapEnable). */
  offloads?: Partial<IfCapEnable> | undefined;
  /** Clusters the host may have out at once (default NMBCLUSTERS_DEFAULT). */
  nmbclusters?: number | undefined;
  /** The host's clock rate, for TCP's timers in ticks (default HZ_DEFAULT: softint_init's). */
  hz?: number | undefined;
  /** TCP's switches over the sysctls (window scale, timestamps, SACK), the congestion control module, and a test-only fault. */
  tcp?: TcpSysctls | undefined;
  /** The kernel whose TCP defaults the host starts from (default "netbsd"). */
  defaults?: SysctlPreset | undefined;
  /** Single sysctl values changed from the preset's, by name ("net.inet.tcp.delacktime": 200). */
  sysctl?: Readonly<Record<string, number>> | undefined;
}

/** TCP's sysctls this model has, and the test-only broken variants. */
export interface TcpSysctls {
  /** Ask for and agree to window scaling (tcp_do_win_scale; default net.inet.tcp.rfc1323). */
  windowScale?: boolean | undefined;
  /** Ask for and agree to timestamps (tcp_do_timestamps; default net.inet.tcp.rfc1323). */
  timestamps?: boolean | undefined;
  /** Offer and agree to SACK (tcp_do_sack; default net.inet.tcp.sack.enable). */
  sack?: boolean | undefined;
  /** The congestion control module of new sockets (net.inet.tcp.congctl.selected, FreeBSD's net.inet.tcp.cc.algorithm; default the preset's, tcp_cc.ts). */
  congctl?: string | undefined;
  /** Test-only: a deliberately broken TCP (see TCP_FAULTS), to show the tests catch it. */
  fault?: TcpFault | undefined;
}

const TCP_BOOLEANS = ["windowScale", "timestamps", "sack"];

/** Checks TCP's sysctls: `where` names the option in the message. */
export function validateTcpSysctls(t: TcpSysctls | undefined, where: string): void {
  if (t === undefined) return;
  if (typeof t !== "object" || t === null) {
    throw new SimError(
      `${where}: expected { windowScale?, timestamps?, sack? (booleans), congctl? }; got ${t}`,
    );
  }
  for (const [k, v] of Object.entries(t)) {
    if (v === undefined) continue;
    if (k === "congctl") {
      if (typeof v !== "string" || tcp_congctl_lookup(v) === null) {
        throw new SimError(
          `${where}.congctl: no module ${JSON.stringify(v)}; use one of ${[...tcp_congctls.keys()].join(", ")}`,
        );
      }
    } else if (k === "fault") {
      if (!(TCP_FAULTS as readonly unknown[]).includes(v)) {
        throw new SimError(
          `${where}.fault: use one of ${TCP_FAULTS.join(", ")}; got ${JSON.stringify(v)}`,
        );
      }
    } else if (!TCP_BOOLEANS.includes(k)) {
      throw new SimError(
        `${where}.${k}: not a TCP option; use ${TCP_BOOLEANS.join(", ")}, congctl`,
      );
    } else if (typeof v !== "boolean") {
      throw new SimError(`${where}.${k}: expected true or false; got ${JSON.stringify(v)}`);
    }
  }
}

const packetIds = new WeakMap<Simulation, { next: number }>();

export class NetStack {
  readonly sim: Simulation;
  readonly costs: NetCosts;
  readonly memcpyBytesPerCycle: number;
  readonly addr: number;
  readonly mbufs: MbufPools;
  readonly ifp: ifnet;
  readonly ip_pktq: pktqueue_t<mbuf>;
  readonly udbtable: inpcbtable;
  readonly tcbtable: inpcbtable;
  readonly ipstat = new ipstat();
  readonly udpstat = new udpstat();
  readonly tcpstat = new tcpstat();
  /** The initial sequence number generator's state (tcp_iss.ts). */
  readonly tcp_iss = new tcp_iss_state();
  /** Clock ticks per second: TCP's callouts are set in ticks. */
  readonly hz: number;
  readonly probes: NetProbes;
  readonly policy: NetPolicy;
  locks!: NetLocking;
  readonly rpsHash: PktqRpsHashFunc<mbuf>;
  nextSocketId = 1;
  /** The preset the TCP sysctls started from, and their values now. */
  readonly preset: SysctlPreset;
  readonly sysctl: TcpSysctlValues;
  /** The switches given explicitly; otherwise net.inet.tcp.rfc1323 and net.inet.tcp.sack.enable decide. */
  readonly tcpSwitches: TcpSysctls;
  /** The congestion control module new connections take (tcp_congctl_global). */
  tcp_congctl_selected: tcp_congctl;
  /** Test-only: the deliberately broken variant this host's TCP runs, or null. */
  readonly tcp_fault: TcpFault | null;
  private readonly ids: { next: number };

  constructor(
    readonly host: Host,
    opts: NetStackOptions,
  ) {
    this.sim = host.sim;
    this.policy = validatePolicy(opts.policy);
    this.costs = validateNetCosts(opts.netCosts);
    const nic = validateNic(opts.nic);
    this.memcpyBytesPerCycle = host.profile.costs.memcpyBytesPerCycle;
    if (!(Number.isInteger(opts.addr) && opts.addr > 0 && opts.addr < 2 ** 32)) {
      throw new SimError(
        `netinet_attach ${host.name}: addr must be an IPv4 address as a number, e.g. 0x0a000001 for 10.0.0.1; got ${opts.addr}`,
      );
    }
    this.addr = opts.addr;
    const clusters = opts.nmbclusters ?? NMBCLUSTERS_DEFAULT;
    if (!(Number.isInteger(clusters) && clusters >= 1)) {
      throw new SimError(
        `netinet_attach ${host.name}: nmbclusters must be a positive integer (default ${NMBCLUSTERS_DEFAULT}); got ${clusters}`,
      );
    }
    // NetBSD allows as many mbufs as clusters times two (mbinit's limits): estimate
    this.mbufs = new MbufPools(host, clusters * 2, clusters, this.costs.mbufCycles);
    const rps = opts.rpsHash ?? "zero";
    if (!(RPS_HASHES as readonly string[]).includes(rps)) {
      throw new SimError(
        `rpsHash: "${rps}" is not a steering; choose one of ${RPS_HASHES.join(", ")} (net.ether.rps_hash)`,
      );
    }
    this.rpsHash =
      rps === "zero"
        ? pktq_rps_hash_zero
        : rps === "curcpu"
          ? pktq_rps_hash_curcpu
          : (m: mbuf) => m.hash;
    const rxCpus = opts.rxCpus ?? [0];
    for (const c of rxCpus) host.cpu(c);
    this.probes = netProbes(host.sim);
    const ids = packetIds.get(host.sim) ?? { next: 1 };
    packetIds.set(host.sim, ids);
    this.ids = ids;
    this.ifp = new ifnet(this, nic, rxCpus, opts.offloads ?? {});
    this.ip_pktq = pktq_create(
      host,
      "ip_pktq",
      (m: mbuf) => ip_input(this, m),
      IFQ_MAXLEN,
      ipintr_drain(this),
    );
    this.ifp.attachInput(this.ip_pktq);
    const inpcbpl = pool_cache_init(host, "inpcbpl", INPCB_BYTES, 0, IPL_NONE);
    this.udbtable = new inpcbtable(this, "udbtable", inpcbpl);
    this.tcbtable = new inpcbtable(this, "tcbtable", inpcbpl);
    this.hz = opts.hz ?? HZ_DEFAULT;
    validateTcpSysctls(opts.tcp, `netinet_attach ${host.name}: tcp`);
    this.tcpSwitches = { ...opts.tcp };
    this.preset = validatePreset(
      opts.defaults ?? "netbsd",
      `netinet_attach ${host.name}: defaults`,
    );
    this.sysctl = tcp_sysctl_init(this.preset, opts.sysctl, `netinet_attach ${host.name}: sysctl`);
    this.tcp_congctl_selected = tcp_congctl_lookup(
      opts.tcp?.congctl ?? tcp_cc_default[this.preset],
    )!;
    this.tcp_fault = opts.tcp?.fault ?? null;
  }

  /** A packet id unique in the simulation, for probes. */
  nextPacketId(): number {
    return this.ids.next++;
  }
}

/**
 * netinet_attach: gives `host` a network stack with the policy's locks. The
 * host's softints must be up (softint_init) and its interface is not yet on
 * a wire (see net_kernel).
 */
export function netinet_attach(host: Host, opts: NetStackOptions): NetStack {
  const stack = new NetStack(host, opts);
  stack.locks = validateLocking(stack.policy.attach(stack), stack.policy.name);
  return stack;
}
