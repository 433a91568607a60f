/*
 * A UDP experiment on an assembled kernel: a sender on the peer, a receiver
 * on the system under test, and every packet's fate recorded from the
 * probes, so tests can check that each datagram on the wire was read once
 * or dropped once.
 */

import {
  DUT_ADDR,
  type NetKernel,
  netProbes,
  SOCK_DGRAM,
  sys_bind,
  sys_recvfrom,
  sys_sendto,
  sys_socket,
  uio,
} from "@smpnet/netinet";
import {
  type KernelGen,
  type Nic,
  NS_PER_MS,
  PRI_USER,
  roundNetCosts,
  roundNic,
  roundProfile,
  sleep,
} from "@smpnet/sim";
import type { SoftintVariant } from "@smpnet/softint";
import { type KernelOptions, kernel } from "../src/index.js";

export const PORT = 5001;

export interface UdpRunOptions {
  seed?: number;
  cpus?: number;
  variant?: SoftintVariant;
  /** Payload bytes of each datagram, in send order. */
  sizes: number[];
  /** Simulated ns after each send (0: as fast as the sender can), or by datagram index. */
  gapNs?: number | ((i: number) => number);
  wire?: KernelOptions["wire"];
  nic?: Partial<Nic>;
  nmbclusters?: number;
  rxCpus?: number[];
  rpsHash?: KernelOptions["rpsHash"];
  /** Simulated ms before the receiver starts reading (default 0): its buffer fills meanwhile. */
  readAfterMs?: number;
  /** The receiver's CPU (default the last). */
  readerCpu?: number;
  policy?: KernelOptions["policy"];
  reclamation?: KernelOptions["reclamation"];
  /** Simulated ms to run after the last send. */
  drainMs?: number;
  /** Subscribed before the run: the kernel, for probes of a test's own. */
  before?: (k: NetKernel) => void;
}

export interface UdpRun {
  k: NetKernel;
  /** Payload length by datagram id, for those the sender's sendto accepted. */
  sent: Map<number, number>;
  /** sendto errors by errno. */
  sendErrors: Map<number, number>;
  /** Datagram ids and lengths in the order the receiver read them. */
  readIds: number[];
  readLens: number[];
  /** When the receiver's first and last reads returned (ns). */
  firstReadNs: number;
  lastReadNs: number;
  /** Packet ids dropped on the system under test, with the counter. */
  drops: { id: number; reason: string }[];
}

export function udpRun(o: UdpRunOptions): UdpRun {
  const k = kernel({
    seed: o.seed ?? 1,
    profile: roundProfile(4),
    nic: { ...roundNic(), ...o.nic },
    netCosts: roundNetCosts(),
    cpus: o.cpus ?? 4,
    softint: { variant: o.variant ?? "netbsd" },
    policy: o.policy ?? "giant",
    ...(o.reclamation === undefined ? {} : { reclamation: o.reclamation }),
    wire: o.wire ?? {},
    ...(o.nmbclusters === undefined ? {} : { nmbclusters: o.nmbclusters }),
    ...(o.rxCpus === undefined ? {} : { rxCpus: o.rxCpus }),
    ...(o.rpsHash === undefined ? {} : { rpsHash: o.rpsHash }),
  });
  const run: UdpRun = {
    k,
    sent: new Map(),
    sendErrors: new Map(),
    readIds: [],
    readLens: [],
    drops: [],
    firstReadNs: -1,
    lastReadNs: -1,
  };
  netProbes(k.sim).drop.subscribe((_t, host, id, reason) => {
    if (host === k.dut.host) run.drops.push({ id, reason });
  });
  o.before?.(k);
  const cpus = k.dut.host.cpus.length;
  k.dut.host.kthread_create({
    name: "receiver",
    pri: PRI_USER,
    user: true,
    cpu: o.readerCpu ?? cpus - 1,
    *body() {
      const so = yield* sys_socket(k.dut, SOCK_DGRAM);
      yield* sys_bind(so, 0, PORT);
      if (o.readAfterMs) yield* sleepNs(o.readAfterMs * NS_PER_MS);
      const u = new uio();
      for (;;) {
        u.uio_resid = 65_536;
        if ((yield* sys_recvfrom(so, u)) !== 0) continue;
        if (run.firstReadNs < 0) run.firstReadNs = k.sim.now;
        run.lastReadNs = k.sim.now;
        run.readIds.push(u.data_id);
        run.readLens.push(u.data_len);
      }
    },
  });
  let sendsDone = false;
  k.peer.host.kthread_create({
    name: "sender",
    pri: PRI_USER,
    user: true,
    *body() {
      const so = yield* sys_socket(k.peer, SOCK_DGRAM);
      const u = new uio();
      // let the receiver bind first
      yield* sleepNs(NS_PER_MS);
      for (let i = 0; i < o.sizes.length; i++) {
        u.uio_resid = o.sizes[i]!;
        u.data_id = i + 1;
        u.addr = DUT_ADDR;
        u.port = PORT;
        const e = yield* sys_sendto(so, u);
        if (e === 0) run.sent.set(i + 1, o.sizes[i]!);
        else run.sendErrors.set(e, (run.sendErrors.get(e) ?? 0) + 1);
        const gap = typeof o.gapNs === "function" ? o.gapNs(i) : (o.gapNs ?? 0);
        if (gap > 0) yield* sleepNs(gap);
      }
      sendsDone = true;
    },
  });
  // run until the sender is done, then let the system drain
  const step = 10 * NS_PER_MS;
  while (!sendsDone && k.sim.now < 10_000 * NS_PER_MS) k.sim.run(k.sim.now + step);
  k.sim.run(k.sim.now + (o.drainMs ?? 50) * NS_PER_MS);
  return run;
}

/** Sleeps `ns` on a channel nobody wakes (the sender's pacing). */
function* sleepNs(ns: number): KernelGen {
  yield* sleep(PACE, ns);
}

const PACE = Symbol("pace");
