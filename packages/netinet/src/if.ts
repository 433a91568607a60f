/*
 * A network interface and its driver, driven by the NIC description of the
 * hardware profile (@smpnet/sim's Nic), after NetBSD's ifnet (net/if.c) and
 * the shape every Ethernet driver has (if_cnmac.c, ixgbe.c):
 *
 * Receive. A frame that arrives takes a descriptor of its receive queue's
 * ring (picked by the flow hash, as RSS does) or is dropped when the ring is
 * full. The queue's interrupt comes holdoffUs after the first frame it will
 * report (interrupt moderation; at once with no hold-off), at IPL_NET on the
 * queue's CPU. The handler takes up to rxProcessLimit frames, each costing
 * the driver's per-frame work and a fresh mbuf and cluster for the
 * descriptor (no mbuf: the frame is dropped and the descriptor reused), and
 * hands each to ether_input, which queues it for the network softint
 * (pktq_enqueue) of the CPU the kernel's steering picks (pktq_rps_hash:
 * CPU 0 on a GENERIC kernel, the interrupted CPU with NET_MPSAFE, or by flow
 * hash). Frames left over raise the interrupt again.
 *
 * Transmit. if_output queues a packet on if_snd (full: dropped and counted)
 * and calls if_start, which moves packets to the transmit ring while it has
 * slots. A full ring sets IFF_OACTIVE: if_start stops until the transmit-
 * completion interrupt, one hold-off after the oldest frame has left, frees
 * the slots of the frames sent and starts output again.
 *
 * Left out: adaptive moderation (the hold-off is fixed), TSO and LRO (no
 * TCP yet), several ports (one interface per host).
 */

import {
  type kmutex_t,
  MUTEX_SPIN,
  mutex_init,
  mutex_spin_enter,
  mutex_spin_exit,
} from "@smpnet/core";
import {
  after,
  curcpu,
  done,
  type Host,
  type IntrSource,
  IPL_VM,
  type KernelGen,
  type KernelOp,
  type Nic,
  NS_PER_US,
  paid,
  paidValue,
  SimError,
  work,
} from "@smpnet/sim";
import { hash_mod, pktq_enqueue, pktq_rps_hash, type pktqueue_t } from "@smpnet/softint";
import { flowHash } from "./flowhash.js";
import { DescRing } from "./if_ring.js";
import { m_freem, m_freem_list, m_getpkt, type mbuf } from "./mbuf.js";
import type { NetProbes } from "./probes.js";
import type { NetStack } from "./stack.js";
import { ifstat } from "./stats.js";
import type { Frame, FrameSink, Link } from "./wire.js";

/** IPL_NET: NetBSD defines it as IPL_VM on every port (sys/intr.h). */
export const IPL_NET = IPL_VM;

/** if_flags (net/if.h). */
export const IFF_UP = 0x1;
export const IFF_OACTIVE = 0x400;

/**
 * The checksum offloads a kernel enables (ifconfig's ip4csum, tcp4csum,
 * udp4csum and their -rx/-tx halves). NetBSD's drivers advertise what the
 * hardware can do in if_capabilities and leave if_capenable 0 (if_cnmac.c
 * sets no if_capenable; ixgbe.c and ixv.c set it to 0): nothing is
 * offloaded until the administrator turns it on. TSO and LRO are not
 * modelled.
 */
export interface IfCapEnable {
  rxChecksum: boolean;
  txChecksum: boolean;
}

function if_capenable(nic: Nic, want: Partial<IfCapEnable>): IfCapEnable {
  const out: IfCapEnable = { rxChecksum: false, txChecksum: false };
  for (const k of ["rxChecksum", "txChecksum"] as const) {
    const v = want[k];
    if (v === undefined) continue;
    if (typeof v !== "boolean") {
      throw new SimError(`offloads.${k}: expected true or false, got ${String(v)}`);
    }
    if (v && !nic.offloads[k]) {
      throw new SimError(
        `offloads.${k}: the NIC (${nic.name}) cannot do it (its offloads.${k} is false); leave it off or use a NIC that has it`,
      );
    }
    out[k] = v;
  }
  for (const k of Object.keys(want)) {
    if (k !== "rxChecksum" && k !== "txChecksum") {
      throw new SimError(
        `offloads.${k}: unknown field; the kernel enables rxChecksum and txChecksum`,
      );
    }
  }
  return out;
}

/** One receive queue: its ring of filled descriptors and its interrupt. */
class RxQueue {
  /** Frames written into descriptors, oldest first. */
  readonly frames: DescRing<Frame>;
  /** The interrupt is raised or its hold-off timer runs. */
  armed = false;
  intr!: IntrSource;

  constructor(
    readonly ifp: ifnet,
    readonly index: number,
    readonly cpu: number,
  ) {
    this.frames = new DescRing(ifp.nic.rxRingSize);
  }
}

export class ifnet implements FrameSink {
  readonly if_xname: string;
  if_flags = IFF_UP;
  readonly if_data = new ifstat();
  /** The offloads the kernel enabled (if_capenable), a subset of the NIC's. */
  readonly if_capenable: IfCapEnable;
  /** if_snd (struct ifqueue): packets waiting for a transmit slot, linked by m_nextpkt. */
  if_snd_head: mbuf | null = null;
  if_snd_tail: mbuf | null = null;
  if_snd_len = 0;
  readonly if_snd_maxlen: number;
  /** Transmit ring: packets on it, with the time each frame's last bit leaves (by slot). */
  readonly txRing: DescRing<mbuf>;
  readonly txDoneNs: Float64Array;
  txIntr!: IntrSource;
  /** The transmit-completion interrupt is due (its moderation timer runs). */
  txIntrArmed = false;
  /** The driver's transmit lock (ixg's tx_mtx), over if_snd and the ring. */
  readonly txLock: kmutex_t;
  /** The wire direction this interface sends on. */
  link: Link | null = null;
  readonly rxq: RxQueue[] = [];
  readonly holdoffNs: number;
  readonly rxLimit: number;
  private ip_pktq: pktqueue_t<mbuf> | null = null;

  constructor(
    readonly stack: NetStack,
    readonly nic: Nic,
    /** The CPU each receive queue interrupts, by queue. */
    rxCpus: readonly number[],
    capenable: Partial<IfCapEnable> = {},
  ) {
    const host = stack.host;
    this.if_xname = `${host.name}.if0`;
    this.if_capenable = if_capenable(nic, capenable);
    this.if_snd_maxlen = nic.txRingSize;
    this.txRing = new DescRing(nic.txRingSize);
    this.txDoneNs = new Float64Array(nic.txRingSize);
    this.txLock = mutex_init(host, `${this.if_xname}.tx_mtx`, MUTEX_SPIN, IPL_NET);
    this.holdoffNs = nic.interruptModeration.holdoffUs * NS_PER_US;
    this.rxLimit =
      nic.rxProcessLimit === "unlimited" ? Number.POSITIVE_INFINITY : nic.rxProcessLimit;
    for (let i = 0; i < nic.rxQueues; i++) {
      const q = new RxQueue(this, i, rxCpus[i % rxCpus.length]!);
      q.intr = host.intr_establish({
        name: `${this.if_xname}.rx${i}`,
        ipl: IPL_NET,
        cpu: q.cpu,
        handler: () => nic_rxintr(q),
      });
      this.rxq.push(q);
    }
    this.txIntr = host.intr_establish({
      name: `${this.if_xname}.tx`,
      ipl: IPL_NET,
      cpu: rxCpus[0]!,
      handler: () => nic_txintr(this),
    });
  }

  get host(): Host {
    return this.stack.host;
  }

  get probes(): NetProbes {
    return this.stack.probes;
  }

  /** ether_input's destination: the queue of the network softint. */
  attachInput(pq: pktqueue_t<mbuf>): void {
    this.ip_pktq = pq;
  }

  /** The wire delivered a frame's last bit: a descriptor, or a drop. */
  frameArrived(f: Frame): void {
    const st = this.if_data;
    if (f.corrupt) {
      st.if_ierrors++;
      this.drop(f, "if_ierrors");
      return;
    }
    // RSS: the NIC hashes the 4-tuple to pick the queue, and reports the hash
    f.hash = flowHash(f.ip_src, f.ip_dst, f.sport, f.dport);
    const q = this.rxq[hash_mod(f.hash, this.rxq.length)]!;
    if (q.frames.count >= this.nic.rxRingSize) {
      st.if_iqdrops++;
      st.rxRingFull++;
      this.drop(f, "rxRingFull");
      return;
    }
    q.frames.put(f);
    if (q.armed) return;
    q.armed = true;
    if (this.holdoffNs === 0) q.intr.raise();
    else this.host.sim.after(this.holdoffNs, raiseRx, q);
  }

  private drop(f: Frame, reason: string): void {
    const p = this.probes.drop;
    if (p.on) p.emit(this.host, f.id, reason);
    f.link!.release(f);
  }

  get ip_input_queue(): pktqueue_t<mbuf> {
    return this.ip_pktq!;
  }
}

function raiseRx(arg: unknown): void {
  (arg as RxQueue).intr.raise();
}

/*
 * The receive interrupt of one queue (cnmac_intr, ixgbe_msix_que). Plain up
 * to the first operation that goes through the loop (sim's ops.ts, "Plain
 * kernel helpers"), then a generator for the rest of the burst: an `after`
 * per frame would nest.
 */
function nic_rxintr(q: RxQueue): KernelOp<void> {
  q.armed = false;
  const ifp = q.ifp;
  const stack = ifp.stack;
  for (let n = 0; n < ifp.rxLimit; n++) {
    const f = q.frames.take();
    if (f === null) return done(undefined);
    let o: KernelOp<unknown> = work(stack.costs.driverRxCycles);
    if (!paid(o)) return nic_rxintr_slow(q, n, f, o, 0);
    // the descriptor's buffer becomes the packet; a fresh one replaces it
    o = m_getpkt(stack.mbufs, f.len);
    if (!paid(o)) return nic_rxintr_slow(q, n, f, o, 1);
    o = nic_rxframe(q, f, paidValue() as mbuf | null);
    if (!paid(o)) return nic_rxintr_slow(q, n, f, o, 2);
  }
  nic_rxintr_again(q);
  return done(undefined);
}

/** nic_rxintr from frame `n`'s operation `pending` on (step 0: the driver's work, 1: m_getpkt, 2: the frame's input). */
function* nic_rxintr_slow(
  q: RxQueue,
  n: number,
  f: Frame,
  pending: KernelOp<unknown>,
  step: number,
): KernelGen {
  const ifp = q.ifp;
  const stack = ifp.stack;
  let v = yield* pending;
  if (step < 1) v = yield* m_getpkt(stack.mbufs, f.len);
  if (step < 2) yield* nic_rxframe(q, f, v as mbuf | null);
  for (n++; n < ifp.rxLimit; n++) {
    const g = q.frames.take();
    if (g === null) return;
    yield* work(stack.costs.driverRxCycles);
    yield* nic_rxframe(q, g, yield* m_getpkt(stack.mbufs, g.len));
  }
  nic_rxintr_again(q);
}

/** One frame's packet `m` (null: no mbuf to be had) up the stack. */
function nic_rxframe(q: RxQueue, f: Frame, m: mbuf | null): KernelOp<void> {
  const ifp = q.ifp;
  const st = ifp.if_data;
  if (m === null) {
    st.if_iqdrops++;
    st.rxNoMbuf++;
    const p = ifp.probes.drop;
    if (p.on) p.emit(ifp.host, f.id, "rxNoMbuf");
    f.link!.release(f);
    return done(undefined);
  }
  m.copyHeader(f); // the NIC's DMA
  f.link!.release(f);
  m.csumVerified = ifp.if_capenable.rxChecksum;
  st.if_ipackets++;
  st.if_ibytes += m.len;
  const p = ifp.probes.nic_rx;
  if (p.on) p.emit(curcpu(), m.id, m.len);
  return ether_input(ifp, m);
}

/** Past the driver's limit: come back for the rest. */
function nic_rxintr_again(q: RxQueue): void {
  if (q.frames.count > 0 && !q.armed) {
    q.armed = true;
    q.intr.raise();
  }
}

/** ether_input: header checks, then the network softint's queue. */
function ether_input(ifp: ifnet, m: mbuf): KernelOp<void> {
  const o = work(ifp.stack.costs.etherInputCycles);
  return paid(o) ? ether_input_enqueue(ifp, m) : after(o, ether_input_enqueue, ifp, m);
}

function ether_input_enqueue(ifp: ifnet, m: mbuf): KernelOp<void> {
  const o = pktq_enqueue(ifp.ip_input_queue, m, pktq_rps_hash(ifp.stack.rpsHash, m));
  return paid(o)
    ? ether_input_queued(ifp, m, paidValue() as boolean)
    : after(o, ether_input_queued, ifp, m);
}

function ether_input_queued(ifp: ifnet, m: mbuf, queued: boolean): KernelOp<void> {
  const p = ifp.probes.pktq_enqueue;
  if (p.on) p.emit(curcpu(), m.id, queued);
  if (queued) return done(undefined);
  ifp.if_data.if_iqdrops++;
  ifp.if_data.pktqFull++;
  const d = ifp.probes.drop;
  if (d.on) d.emit(ifp.host, m.id, "pktqFull");
  return m_freem(ifp.stack.mbufs, m);
}

/**
 * if_output (ether_output and if_transmit): queues `m` on if_snd and starts
 * the driver; false, with `m` freed and counted, when if_snd is full.
 */
export function if_output(ifp: ifnet, m: mbuf): KernelOp<boolean> {
  // IFQ_ENQUEUE: the test and the append are one instant (ifq_lock held)
  if (ifp.if_snd_len >= ifp.if_snd_maxlen) {
    ifp.if_data.if_snd_drops++;
    const d = ifp.probes.drop;
    if (d.on) d.emit(ifp.host, m.id, "if_snd_drops");
    const o = m_freem(ifp.stack.mbufs, m);
    return paid(o) ? done(false) : after(o, done, false);
  }
  // IF_ENQUEUE
  m.m_nextpkt = null;
  if (ifp.if_snd_tail === null) ifp.if_snd_head = m;
  else ifp.if_snd_tail.m_nextpkt = m;
  ifp.if_snd_tail = m;
  ifp.if_snd_len++;
  if ((ifp.if_flags & IFF_OACTIVE) !== 0) return done(true);
  const o = if_start(ifp);
  return paid(o) ? done(true) : after(o, done, true);
}

/**
 * if_start: moves packets from if_snd to the transmit ring while it has
 * slots, under the driver's transmit lock (a spin mutex at IPL_NET, as
 * ixg's tx_mtx; without it two CPUs could interleave frames). Packets whose
 * frames have left are unlinked under the lock and freed after it. While
 * frames are on the ring, a transmit-completion interrupt is due one
 * hold-off after the oldest has left.
 * A plain function, as the output path calls it for every packet: each
 * step the rest after one operation.
 */
export function if_start(ifp: ifnet): KernelOp<void> {
  const o = mutex_spin_enter(ifp.txLock);
  return paid(o) ? if_start_locked(ifp) : after(o, if_start_locked, ifp);
}

function if_start_locked(ifp: ifnet): KernelOp<void> {
  return if_start_ring(ifp, txreclaim(ifp));
}

/** if_start's loop, with the packets `sent` (reclaimed) to free after the lock. */
function if_start_ring(ifp: ifnet, sent: mbuf | null): KernelOp<void> {
  const st = ifp.if_data;
  while (ifp.if_snd_head !== null) {
    if (ifp.txRing.count >= ifp.nic.txRingSize) {
      if ((ifp.if_flags & IFF_OACTIVE) === 0) {
        ifp.if_flags |= IFF_OACTIVE;
        st.oactive++;
      }
      break;
    }
    // IF_DEQUEUE
    const m = ifp.if_snd_head;
    ifp.if_snd_head = m.m_nextpkt;
    if (ifp.if_snd_head === null) ifp.if_snd_tail = null;
    m.m_nextpkt = null;
    ifp.if_snd_len--;
    const o = work(ifp.stack.costs.driverTxCycles);
    if (!paid(o)) return after(o, if_start_tx, ifp, sent, m);
    if_start_frame(ifp, m);
  }
  return if_start_done(ifp, sent);
}

function if_start_tx(ifp: ifnet, sent: mbuf | null, m: mbuf): KernelOp<void> {
  if_start_frame(ifp, m);
  return if_start_ring(ifp, sent);
}

/** `m`'s frame onto the ring and the wire. */
function if_start_frame(ifp: ifnet, m: mbuf): void {
  const link = ifp.link!;
  const f = link.frame();
  f.copyHeader(m);
  const p = ifp.probes.nic_tx;
  if (p.on) p.emit(curcpu(), m.id, m.len);
  ifp.txDoneNs[ifp.txRing.put(m)] = link.transmit(f);
  ifp.if_data.if_opackets++;
  ifp.if_data.if_obytes += m.len;
}

function if_start_done(ifp: ifnet, sent: mbuf | null): KernelOp<void> {
  if (!ifp.txIntrArmed && ifp.txRing.count > 0) {
    ifp.txIntrArmed = true;
    // the oldest frame may have left the wire while the driver queued the others
    const due = ifp.txDoneNs[ifp.txRing.head]! + ifp.holdoffNs;
    ifp.host.sim.at(Math.max(due, ifp.host.sim.now), raiseTx, ifp);
  }
  const o = mutex_spin_exit(ifp.txLock);
  if (paid(o)) return m_freem_list(ifp.stack.mbufs, sent);
  // nothing to free: the pending splx is the caller's to consume
  return sent === null ? o : after(o, m_freem_list, ifp.stack.mbufs, sent);
}

/** Unlinks the packets whose frames have left the wire; returns them as an m_nextpkt list. */
function txreclaim(ifp: ifnet): mbuf | null {
  const now = ifp.host.sim.now;
  let head: mbuf | null = null;
  let tail: mbuf | null = null;
  const ring = ifp.txRing;
  while (ring.count > 0 && ifp.txDoneNs[ring.head]! <= now) {
    const m = ring.take()!;
    if (tail === null) head = m;
    else tail.m_nextpkt = m;
    tail = m;
  }
  return head;
}

function raiseTx(arg: unknown): void {
  (arg as ifnet).txIntr.raise();
}

/** The transmit-completion interrupt: frees sent packets, clears IFF_OACTIVE, restarts output. */
function nic_txintr(ifp: ifnet): KernelOp<void> {
  ifp.txIntrArmed = false;
  ifp.if_flags &= ~IFF_OACTIVE;
  return if_start(ifp);
}
