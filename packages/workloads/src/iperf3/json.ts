/*
 * iperf3's -J document (src/iperf_api.c: iperf_on_connect, print_interval_results,
 * iperf_print_intermediate, iperf_print_results), with cJSON_Print's layout
 * (tabs, "key":<TAB>value). `system_info` and `timestamp` have no meaning in a
 * simulation: they name the simulated host and a fixed date plus the
 * simulated time, so a run is the same to the bit every time.
 */

import type { IperfTest } from "./test.js";
import { streamTotals } from "./text.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** cJSON_Print: tab-indented, arrays of objects opened on the same line. */
export function cjsonPrint(v: Json, depth = 0): string {
  const pad = "\t".repeat(depth + 1);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[${v.map((x) => cjsonPrint(x, depth + 1)).join(", ")}]`;
  }
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 0) return `{\n${"\t".repeat(depth)}}`;
    const body = keys.map((k) => `${pad}${JSON.stringify(k)}:\t${cjsonPrint(v[k]!, depth + 1)}`);
    return `{\n${body.join(",\n")}\n${"\t".repeat(depth)}}`;
  }
  return JSON.stringify(v);
}

/** The seconds of the fixed epoch the simulated clock starts at (2026-01-01T00:00:00Z). */
const EPOCH_S = 1_767_225_600;

export function timestamp(nowNs: number): { time: string; timesecs: number } {
  const secs = EPOCH_S + Math.floor(nowNs / 1e9);
  return { time: new Date(secs * 1000).toUTCString(), timesecs: secs };
}

export interface StartInfo {
  connected: Json[];
  systemInfo: string;
  timeNs: number;
  host: string;
  port: number;
  cookie: string;
  mss: number;
  sndbuf: number;
  rcvbuf: number;
}

export function startJson(t: IperfTest, s: StartInfo): { [k: string]: Json } {
  const o = t.o;
  return {
    connected: s.connected,
    version: "iperf 3.12",
    system_info: s.systemInfo,
    timestamp: timestamp(s.timeNs),
    connecting_to: { host: s.host, port: s.port },
    cookie: s.cookie,
    ...(o.udp ? {} : { tcp_mss_default: s.mss }),
    target_bitrate: o.rate,
    sock_bufsize: o.socketBufsize,
    sndbuf_actual: s.sndbuf,
    rcvbuf_actual: s.rcvbuf,
    test_start: {
      protocol: o.udp ? "UDP" : "TCP",
      num_streams: o.numStreams,
      blksize: o.blksize,
      omit: o.omit,
      duration: o.duration,
      bytes: o.bytes,
      blocks: o.blocks,
      reverse: o.reverse ? 1 : 0,
      tos: 0,
      target_bitrate: o.rate,
    },
  };
}

const bps = (bytes: number, seconds: number) => (seconds > 0 ? (bytes * 8) / seconds : 0);

/** The fields every summary object starts with; the rate over `rateS` (the sender's time for UDP's "sum"). */
function summaryHead(
  end: number,
  seconds: number,
  bytes: number,
  rateS = seconds,
): { [k: string]: Json } {
  return { start: 0, end, seconds, bytes, bits_per_second: bps(bytes, rateS) };
}

/** The interval just sampled, as an element of "intervals". */
export function intervalJson(t: IperfTest): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  const streams: Json[] = [];
  out.streams = streams;
  const groups = t.o.bidirectional ? (t.role === "c" ? [true, false] : [false, true]) : [null];
  for (const g of groups) {
    const members = t.streams.filter((s) => g === null || s.sender === g);
    const rs = members.map((s) => s.intervals[s.intervals.length - 1]!);
    members.forEach((s, i) => {
      const r = rs[i]!;
      const seconds = r.end - r.start;
      const base = {
        socket: s.socket,
        start: r.start,
        end: r.end,
        seconds,
        bytes: r.bytes,
        bits_per_second: bps(r.bytes, seconds),
      };
      if (t.o.udp && s.sender)
        streams.push({ ...base, packets: r.packets, omitted: r.omitted, sender: true });
      else if (t.o.udp) {
        const pct = r.packets > 0 ? (100 * r.lost) / r.packets : 0;
        streams.push({
          ...base,
          jitter_ms: r.jitter * 1000,
          lost_packets: r.lost,
          packets: r.packets,
          lost_percent: pct,
          omitted: r.omitted,
          sender: false,
        });
      } else if (s.sender) {
        streams.push({
          ...base,
          retransmits: r.retransmits,
          snd_cwnd: r.snd_cwnd,
          snd_wnd: r.snd_wnd,
          rtt: r.rtt,
          rttvar: r.rttvar,
          pmtu: s.so.stack.ifp.nic.mtuBytes,
          omitted: r.omitted,
          sender: true,
        });
      } else streams.push({ ...base, omitted: r.omitted, sender: false });
    });
    const r0 = rs[0]!;
    const sender = members[0]!.sender;
    const bytes = rs.reduce((a, r) => a + r.bytes, 0);
    const seconds = r0.end - r0.start;
    const sum: { [k: string]: Json } = {
      start: r0.start,
      end: r0.end,
      seconds,
      bytes,
      bits_per_second: bps(bytes, seconds),
    };
    if (t.o.udp && sender) sum.packets = rs.reduce((a, r) => a + r.packets, 0);
    else if (t.o.udp) {
      const lost = rs.reduce((a, r) => a + r.lost, 0);
      const packets = rs.reduce((a, r) => a + r.packets, 0);
      Object.assign(sum, {
        jitter_ms: (rs.reduce((a, r) => a + r.jitter, 0) / rs.length) * 1000,
        lost_packets: lost,
        packets,
        lost_percent: packets > 0 ? (100 * lost) / packets : 0,
      });
    } else if (sender) sum.retransmits = rs.reduce((a, r) => a + r.retransmits, 0);
    sum.omitted = r0.omitted;
    sum.sender = sender;
    out[g === false && t.role === "c" && t.o.bidirectional ? "sum_bidir_reverse" : "sum"] = sum;
  }
  return out;
}

/** The "end" section. */
export function endJson(t: IperfTest): { [k: string]: Json } {
  const totals = streamTotals(t);
  const streams: Json[] = totals.map((x) => {
    const s = x.s;
    const sent = {
      socket: s.socket,
      start: 0,
      end: x.sentSeconds,
      seconds: x.sentSeconds,
      bytes: x.sentBytes,
      bits_per_second: bps(x.sentBytes, x.sentSeconds),
    };
    if (t.o.udp) {
      const pct = x.packets > 0 ? (100 * x.lost) / x.packets : 0;
      return {
        udp: {
          ...sent,
          jitter_ms: x.jitter * 1000,
          lost_packets: x.lost,
          packets: x.packets,
          lost_percent: pct,
          out_of_order: s.outOfOrder,
          sender: s.sender,
        },
      };
    }
    const local = s.sender;
    const tcp = {
      retransmits: x.retransmits,
      max_snd_cwnd: local ? s.maxSndCwnd : 0,
      max_snd_wnd: local ? s.maxSndWnd : 0,
      max_rtt: local ? s.maxRtt : 0,
      min_rtt: local && s.countRtt > 0 ? s.minRtt : 0,
      mean_rtt: local && s.countRtt > 0 ? Math.trunc(s.sumRtt / s.countRtt) : 0,
    };
    const endS = (s.endNs - s.startNs) / 1e9;
    return {
      sender: { ...sent, ...tcp, sender: s.sender },
      receiver: {
        socket: s.socket,
        start: 0,
        end: x.receivedSeconds,
        seconds: endS,
        bytes: x.receivedBytes,
        bits_per_second: bps(x.receivedBytes, x.receivedSeconds),
        sender: s.sender,
      },
    };
  });
  const out: { [k: string]: Json } = { streams };
  const groups = t.o.bidirectional ? [true, false] : [null];
  for (const g of groups) {
    const members = totals.filter((x) => g === null || x.s.sender === g);
    const suffix = g === false ? "_bidir_reverse" : "";
    const sum = (f: (x: (typeof members)[0]) => number) => members.reduce((a, x) => a + f(x), 0);
    const sentS = Math.max(...members.map((x) => x.sentSeconds));
    const recvS = Math.max(...members.map((x) => x.receivedSeconds));
    const sender = members[0]!.s.sender;
    const sent = sum((x) => x.sentBytes);
    const recv = sum((x) => x.receivedBytes);
    if (t.o.udp) {
      const lost = sum((x) => x.lost);
      const packets = sum((x) => x.packets);
      const jitter = (sum((x) => x.jitter) / members.length) * 1000;
      const pct = packets > 0 ? (100 * lost) / packets : 0;
      out[`sum${suffix}`] = {
        ...summaryHead(recvS, recvS, sent, sentS),
        jitter_ms: jitter,
        lost_packets: lost,
        packets,
        lost_percent: pct,
        sender,
      };
      out[`sum_sent${suffix}`] = {
        ...summaryHead(sentS, sentS, sent),
        jitter_ms: 0,
        lost_packets: 0,
        packets,
        lost_percent: 0,
        sender: true,
      };
      out[`sum_received${suffix}`] = {
        ...summaryHead(recvS, recvS, recv),
        jitter_ms: jitter,
        lost_packets: lost,
        packets,
        lost_percent: pct,
        sender: false,
      };
    } else {
      out[`sum_sent${suffix}`] = {
        ...summaryHead(sentS, sentS, sent),
        retransmits: sum((x) => x.retransmits),
        sender,
      };
      out[`sum_received${suffix}`] = {
        ...summaryHead(recvS, recvS, recv),
        sender,
      };
    }
  }
  const r = t.remote;
  out.cpu_utilization_percent = {
    host_total: t.cpu[0],
    host_user: t.cpu[1],
    host_system: t.cpu[2],
    remote_total: r?.cpu_util_total ?? 0,
    remote_user: r?.cpu_util_user ?? 0,
    remote_system: r?.cpu_util_system ?? 0,
  };
  if (!t.o.udp) {
    const local = t.congestionUsed;
    const remote = r?.congestion_used ?? local;
    const clientSends = t.streams.some((s) => s.sender);
    out.sender_tcp_congestion = clientSends ? local : remote;
    out.receiver_tcp_congestion = clientSends ? remote : local;
  }
  return out;
}

export type { Json };
