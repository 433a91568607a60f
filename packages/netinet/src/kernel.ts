/*
 * A whole experiment's machines: the system under test ("dut") and the
 * remote peer, each a host with softints and netinet, their interfaces on
 * the two directions of one wire. The peer runs the same code on an ideal
 * host (its work costs no time) unless it is given a profile of its own:
 * it is the far end of every workload, not what is studied.
 */

import {
  type NetCosts,
  type Nic,
  type Profile,
  SimError,
  Simulation,
  validateProfile,
} from "@smpnet/sim";
import { type SoftintConfig, softint_init, validateSoftintConfig } from "@smpnet/softint";
import type { RpsHash } from "./flowhash.js";
import type { IfCapEnable } from "./if.js";
import type { NetPolicy } from "./lockpoints.js";
import { type NetStack, netinet_attach, type TcpSysctls, validateTcpSysctls } from "./stack.js";
import { type SysctlPreset, tcp_sysctl_init, validatePreset } from "./tcp_sysctl.js";
import { Link, validateWire, type WireConfig, wireDirection } from "./wire.js";

/** The system under test's address, 10.0.0.1, and the peer's, 10.0.0.2. */
export const DUT_ADDR = 0x0a000001;
export const PEER_ADDR = 0x0a000002;

export interface NetKernelOptions {
  /** The run's seed: same seed and options, same result to the bit. */
  seed: number;
  /** The system under test's hardware. */
  profile: Profile;
  nic: Nic;
  netCosts: NetCosts;
  /** CPUs of the system under test, at most the profile's (default: all of them). */
  cpus?: number;
  softint: SoftintConfig;
  policy: NetPolicy;
  /**
   * The link. Defaults: the NIC's speed and MTU, no propagation delay (a
   * short cable: 2 m is 10 ns), no loss, duplication, reordering or
   * corruption.
   */
  wire?: Partial<WireConfig>;
  /** The peer: ideal (default) or with a profile of its own, and TCP sysctls of its own. */
  peer?: { profile?: Profile; tcp?: TcpSysctls };
  /** TCP's switches on both hosts (default: as the preset's sysctls), its congestion control module, a test-only fault. */
  tcp?: TcpSysctls;
  /** The kernel whose TCP defaults both hosts start from: "netbsd" (default) or "freebsd". */
  defaults?: SysctlPreset;
  /** Single sysctl values of the system under test changed from the preset's (tcp_sysctl.ts). */
  sysctl?: Readonly<Record<string, number>>;
  /** The CPU each receive queue of the system under test interrupts (default all on CPU 0). */
  rxCpus?: readonly number[];
  /** ip_pktq's steering on the system under test (see NetStackOptions.rpsHash). */
  rpsHash?: RpsHash | undefined;
  /** The checksum offloads the system under test's kernel enables (default none, as NetBSD's drivers). */
  offloads?: Partial<IfCapEnable> | undefined;
  /** Clusters the system under test may have out at once (the peer keeps the default). */
  nmbclusters?: number;
  /** Kernel preemption on the system under test (x86 has it; evbmips does not). Default false. */
  kernelPreemption?: boolean;
  /**
   * The system under test's CPUs are ideal too (its work costs no time):
   * the network alone, as a network simulator models it. Default false.
   */
  ideal?: boolean;
  /**
   * false: every operation goes through the event loop, none is carried out
   * in place (SimulationOptions.inPlace), so the plain kernel helpers take
   * their slow paths. The results are the same to the bit; for tests of
   * those paths. Default true.
   */
  inPlace?: boolean;
}

export interface NetKernel {
  sim: Simulation;
  dut: NetStack;
  peer: NetStack;
  /** The wire's two directions. */
  toPeer: Link;
  toDut: Link;
}

/** net_kernel: assembles the system under test, the peer and the wire. */
export function net_kernel(opts: NetKernelOptions): NetKernel {
  const profile = validateProfile(opts.profile, "profile");
  const cpus = opts.cpus ?? profile.cpus;
  if (!(Number.isInteger(cpus) && cpus >= 1 && cpus <= profile.cpus)) {
    throw new SimError(
      `cpus: expected a whole number from 1 to ${profile.cpus} (the ${profile.name} has ${profile.cpus}); got ${cpus}`,
    );
  }
  const wire = validateWire({
    speedMbps: opts.nic.speedMbps,
    mtuBytes: opts.nic.mtuBytes,
    delayNs: 0,
    ...opts.wire,
  });
  if (wire.mtuBytes > opts.nic.mtuBytes) {
    throw new SimError(
      `wire.mtuBytes: ${wire.mtuBytes} is above the NIC's MTU (${opts.nic.mtuBytes}); lower it or use a NIC that takes it`,
    );
  }
  for (const k of ["ideal", "kernelPreemption", "inPlace"] as const) {
    const v = opts[k];
    if (v !== undefined && typeof v !== "boolean") {
      throw new SimError(`${k}: expected true or false; got ${String(v)}`);
    }
  }
  validateTcpSysctls(opts.tcp, "tcp");
  const defaults = validatePreset(opts.defaults ?? "netbsd", "defaults");
  tcp_sysctl_init(defaults, opts.sysctl, "sysctl");
  validateTcpSysctls(opts.peer?.tcp, "peer.tcp");
  const nic = { ...opts.nic, mtuBytes: wire.mtuBytes, speedMbps: wire.speedMbps };
  const sim = new Simulation({ seed: opts.seed, inPlace: opts.inPlace ?? true });
  const dutHost = sim.addHost({
    name: "dut",
    profile: { ...profile, cpus },
    hardclockSlices: true,
    kernelPreemption: opts.kernelPreemption ?? false,
    ideal: opts.ideal ?? false,
  });
  const peerProfile = opts.peer?.profile ?? profile;
  const peerHost = sim.addHost({
    name: "peer",
    profile: peerProfile,
    ideal: opts.peer?.profile === undefined,
    hardclockSlices: true,
  });
  softint_init(dutHost, opts.softint);
  softint_init(peerHost, opts.softint);
  const { hz } = validateSoftintConfig(opts.softint);
  const common = { nic, netCosts: opts.netCosts, policy: opts.policy, hz };
  const dut = netinet_attach(dutHost, {
    ...common,
    addr: DUT_ADDR,
    rxCpus: opts.rxCpus,
    rpsHash: opts.rpsHash,
    offloads: opts.offloads,
    nmbclusters: opts.nmbclusters,
    tcp: opts.tcp,
    defaults,
    sysctl: opts.sysctl,
  });
  const peer = netinet_attach(peerHost, {
    ...common,
    addr: PEER_ADDR,
    tcp: { ...opts.tcp, ...opts.peer?.tcp },
    defaults,
  });
  const toPeer = new Link(sim, wireDirection(wire, "toPeer"), peer.ifp, sim.rng);
  const toDut = new Link(sim, wireDirection(wire, "toDut"), dut.ifp, sim.rng);
  dut.ifp.link = toPeer;
  peer.ifp.link = toDut;
  return { sim, dut, peer, toPeer, toDut };
}
