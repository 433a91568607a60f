/*
 * One iperf3 data stream (src/iperf.h struct iperf_stream, iperf_tcp.c,
 * iperf_udp.c): a connected socket that either writes blocks or reads
 * them, and the statistics iperf3 keeps for it: bytes per interval, and
 * from TCP_INFO on a TCP sender the congestion window, the peer's window,
 * the RTT and the retransmits; for UDP the packet count, the losses and
 * out-of-order arrivals the receiver infers from the sequence numbers
 * and RFC 1889's jitter from the send times the datagrams carry.
 */

import { ENOBUFS, sbspace, type socket, sys_recvfrom, sys_sendto, uio } from "@smpnet/netinet";
import type { KernelGen } from "@smpnet/sim";
import { enobufs_pause } from "../enobufs.js";
import { sys_getsockopt_tcp_info } from "../tcp_info.js";

export interface IntervalResult {
  /** Seconds since the stream's start. */
  start: number;
  end: number;
  bytes: number;
  omitted: boolean;
  retransmits: number;
  snd_cwnd: number;
  snd_wnd: number;
  rtt: number;
  rttvar: number;
  packets: number;
  lost: number;
  /** Seconds. */
  jitter: number;
}

/** The send time of each datagram, as its header carries it (sec and usec): shared by both ends. */
export type DatagramStamps = Map<string, number[]>;

const NS = 1e9;

export class IperfStream {
  readonly u = new uio();
  /** Bytes and blocks moved since the test (not the omit period) started. */
  bytes = 0;
  blocks = 0;
  intervalBytes = 0;
  readonly intervals: IntervalResult[] = [];
  retransmits = 0;
  private rexmitBase = 0;
  private intervalRexmitBase = 0;
  maxSndCwnd = 0;
  maxSndWnd = 0;
  maxRtt = 0;
  minRtt = Number.MAX_SAFE_INTEGER;
  sumRtt = 0;
  countRtt = 0;
  /** UDP: datagrams sent, or the highest sequence number received. */
  packetCount = 0;
  cntError = 0;
  outOfOrder = 0;
  jitter = 0;
  private prevTransit = 0;
  private intervalPacketBase = 0;
  private intervalErrorBase = 0;
  /** When the stream's statistics started and the last interval ended (ns). */
  startNs = 0;
  intervalStartNs = 0;
  endNs = 0;

  constructor(
    readonly id: number,
    /** The descriptor number iperf3 prints ("[  5]"). */
    readonly socket: number,
    readonly so: socket,
    readonly sender: boolean,
    readonly udp: boolean,
    readonly blksize: number,
    private readonly stamps: DatagramStamps,
  ) {}

  private stampKey(): string {
    return `${this.so.stack.addr}:${this.so.so_pcb!.inp_lport}`;
  }

  /**
   * iperf_tcp_send / iperf_udp_send: one block; false when the socket
   * failed. iperf3 makes its TCP data sockets non-blocking for the test, so
   * a write takes what so_snd has room for; netinet's sosend has no
   * non-blocking mode yet, so the write is sized here as the kernel's
   * would be.
   */
  *send(nowNs: () => number): KernelGen<boolean> {
    const n = this.udp ? this.blksize : Math.min(this.blksize, sbspace(this.so.so_snd));
    if (n <= 0) return true;
    this.u.uio_resid = n;
    if (this.udp) {
      const id = this.packetCount + 1;
      this.u.data_id = id;
      let list = this.stamps.get(this.stampKey());
      if (list === undefined) {
        list = [];
        this.stamps.set(this.stampKey(), list);
      }
      list[id] = Math.trunc(nowNs() / 1_000) * 1_000; // usec resolution, as the header
    }
    const e = yield* sys_sendto(this.so, this.u);
    if (e === ENOBUFS && this.udp) {
      yield* enobufs_pause(this.so.stack, this.blksize);
      return true;
    }
    if (e !== 0) return false;
    if (this.udp) this.packetCount++;
    this.bytes += n;
    this.intervalBytes += n;
    this.blocks++;
    return true;
  }

  /** iperf_tcp_recv / iperf_udp_recv: one read; false at end of file or on an error. */
  *recv(nowNs: () => number): KernelGen<boolean> {
    this.u.uio_resid = this.blksize;
    if ((yield* sys_recvfrom(this.so, this.u)) !== 0) return false;
    const n = this.u.data_len;
    if (n === 0 && !this.udp) return false;
    this.bytes += n;
    this.intervalBytes += n;
    this.blocks++;
    if (this.udp) this.udpArrival(nowNs());
    return true;
  }

  private udpArrival(arrivalNs: number): void {
    const pcount = this.u.data_id;
    const sentNs = this.stamps.get(`${this.u.addr}:${this.u.port}`)?.[pcount] ?? arrivalNs;
    if (pcount >= this.packetCount + 1) {
      if (pcount > this.packetCount + 1) this.cntError += pcount - 1 - this.packetCount;
      this.packetCount = pcount;
    } else {
      // a late arrival was counted as lost when its successor came
      this.outOfOrder++;
      if (this.cntError > 0) this.cntError--;
    }
    const transit = (arrivalNs - sentNs) / NS;
    const d = Math.abs(transit - this.prevTransit);
    this.prevTransit = transit;
    this.jitter += (d - this.jitter) / 16;
  }

  /** Starts (or, after the omit period, restarts) the statistics at `nowNs`. */
  reset(nowNs: number): void {
    this.bytes = 0;
    this.blocks = 0;
    this.intervalBytes = 0;
    this.startNs = nowNs;
    this.intervalStartNs = nowNs;
    this.retransmits = 0;
    this.rexmitBase = this.intervalRexmitBase;
    this.maxSndCwnd = this.maxSndWnd = this.maxRtt = this.sumRtt = this.countRtt = 0;
    this.minRtt = Number.MAX_SAFE_INTEGER;
    this.intervalPacketBase = this.packetCount;
    this.intervalErrorBase = this.cntError;
  }

  /** iperf_stats_callback: closes the interval ending now. */
  *sample(nowNs: number, omitted: boolean): KernelGen<IntervalResult> {
    const r: IntervalResult = {
      start: (this.intervalStartNs - this.startNs) / NS,
      end: (nowNs - this.startNs) / NS,
      bytes: this.intervalBytes,
      omitted,
      retransmits: 0,
      snd_cwnd: 0,
      snd_wnd: 0,
      rtt: 0,
      rttvar: 0,
      packets: this.packetCount - this.intervalPacketBase,
      lost: this.cntError - this.intervalErrorBase,
      jitter: this.jitter,
    };
    if (this.sender && !this.udp) {
      const ti = yield* sys_getsockopt_tcp_info(this.so);
      r.retransmits = ti.tcpi_snd_rexmitpack - this.intervalRexmitBase;
      this.intervalRexmitBase = ti.tcpi_snd_rexmitpack;
      this.retransmits = ti.tcpi_snd_rexmitpack - this.rexmitBase;
      r.snd_cwnd = ti.tcpi_snd_cwnd;
      r.snd_wnd = ti.tcpi_snd_wnd;
      r.rtt = ti.tcpi_rtt;
      r.rttvar = ti.tcpi_rttvar;
      this.maxSndCwnd = Math.max(this.maxSndCwnd, r.snd_cwnd);
      this.maxSndWnd = Math.max(this.maxSndWnd, r.snd_wnd);
      this.maxRtt = Math.max(this.maxRtt, r.rtt);
      this.minRtt = Math.min(this.minRtt, r.rtt);
      this.sumRtt += r.rtt;
      this.countRtt++;
    }
    this.intervals.push(r);
    this.intervalBytes = 0;
    this.intervalStartNs = nowNs;
    this.intervalPacketBase = this.packetCount;
    this.intervalErrorBase = this.cntError;
    this.endNs = nowNs;
    return r;
  }
}
