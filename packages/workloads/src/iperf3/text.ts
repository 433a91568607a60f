/*
 * iperf3's human-readable output (src/iperf_api.c print_interval_results,
 * iperf_print_intermediate, iperf_print_results; the formats of
 * src/iperf_locale.c), line for line.
 */

import { fixed, general, int, unitFormat } from "../units.js";
import type { IperfStream } from "./stream.js";
import type { IperfTest } from "./test.js";

const SEPARATOR = "- - - - - - - - - - - - - - - - - - - - - - - - -";

function role(t: IperfTest, sender: boolean): string {
  return t.o.bidirectional ? `[${sender ? "TX" : "RX"}-${t.role === "c" ? "C" : "S"}]` : "";
}

function idField(s: IperfStream | "SUM"): string {
  return s === "SUM" ? "[SUM]" : `[${int(s.socket, 3)}]`;
}

function span(start: number, end: number): string {
  return `${fixed(start, 6, 2)}-${fixed(end, 6, 2, true)} sec`;
}

function rate(bytes: number, seconds: number): string {
  return `${unitFormat(seconds > 0 ? bytes / seconds : 0, "a")}s/sec`;
}

function header(t: IperfTest, summary: boolean): string {
  const id = t.o.bidirectional ? "[ ID][Role]" : "[ ID]";
  const base = `${id} Interval           Transfer     Bitrate`;
  if (t.o.udp) {
    const sendOnly = !summary && t.streams.every((s) => s.sender);
    return sendOnly
      ? `${base}         Total Datagrams`
      : `${base}         Jitter    Lost/Total Datagrams`;
  }
  if (summary)
    return t.senderHasRetransmits || t.remote?.sender_has_retransmits
      ? `${base}         Retr`
      : base;
  return t.senderHasRetransmits ? `${base}         Retr  Cwnd` : base;
}

/** One line of an interval or summary. */
function line(
  t: IperfTest,
  who: IperfStream | "SUM",
  sender: boolean,
  start: number,
  end: number,
  seconds: number,
  bytes: number,
  tail: string,
  label: string,
): string {
  return `${idField(who)}${role(t, sender)} ${span(start, end)}  ${unitFormat(bytes, "A")}s  ${rate(bytes, seconds)}${tail}${label}`;
}

function udpLoss(jitterS: number, lost: number, total: number): string {
  const pct = total > 0 ? (100 * lost) / total : 0;
  return `  ${(jitterS * 1000).toFixed(3).padStart(5)} ms  ${lost}/${total} (${general(pct, 2)}%)  `;
}

/** The lines of the interval just sampled. */
export function intervalLines(t: IperfTest): string[] {
  const out: string[] = [];
  const first = t.streams[0]!;
  const last = (s: IperfStream) => s.intervals[s.intervals.length - 1]!;
  if (first.intervals.length === 1 || last(first).start === 0) out.push(header(t, false));
  else if (t.o.numStreams > 1) out.push(SEPARATOR);
  const groups = t.o.bidirectional ? (t.role === "c" ? [true, false] : [false, true]) : [null];
  for (const g of groups) {
    const members = t.streams.filter((s) => g === null || s.sender === g);
    for (const s of members) {
      const r = last(s);
      const omitted = r.omitted ? "(omitted)" : "";
      let tail = "                  ";
      if (t.o.udp && s.sender) tail = `  ${r.packets}  `;
      else if (t.o.udp) tail = udpLoss(r.jitter, r.lost, r.packets);
      else if (s.sender)
        tail = `  ${int(r.retransmits, 3)}   ${unitFormat(r.snd_cwnd, "A")}s       `;
      out.push(line(t, s, s.sender, r.start, r.end, r.end - r.start, r.bytes, tail, omitted));
    }
    if (t.o.numStreams > 1) {
      const rs = members.map(last);
      const r0 = rs[0]!;
      const bytes = rs.reduce((a, r) => a + r.bytes, 0);
      const sender = members[0]!.sender;
      let tail = "                  ";
      if (t.o.udp && sender) tail = `  ${rs.reduce((a, r) => a + r.packets, 0)}  `;
      else if (t.o.udp) {
        const jitter = rs.reduce((a, r) => a + r.jitter, 0) / t.o.numStreams;
        tail = udpLoss(
          jitter,
          rs.reduce((a, r) => a + r.lost, 0),
          rs.reduce((a, r) => a + r.packets, 0),
        );
      } else if (sender && t.senderHasRetransmits) {
        tail = `  ${int(
          rs.reduce((a, r) => a + r.retransmits, 0),
          3,
        )}             `;
      }
      out.push(
        line(
          t,
          "SUM",
          sender,
          r0.start,
          r0.end,
          r0.end - r0.start,
          bytes,
          tail,
          r0.omitted ? "(omitted)" : "",
        ),
      );
    }
  }
  return out;
}

/** What the summary needs of each stream: both ends' totals. */
export interface StreamTotals {
  s: IperfStream;
  sentBytes: number;
  sentSeconds: number;
  retransmits: number;
  receivedBytes: number;
  receivedSeconds: number;
  packets: number;
  lost: number;
  jitter: number;
}

/** Both ends' view of each stream, from the local statistics and the peer's results. */
export function streamTotals(t: IperfTest): StreamTotals[] {
  return t.streams.map((s) => {
    const peer = t.remote?.streams.find((p) => p.id === s.id);
    const local = { bytes: s.bytes, seconds: (s.endNs - s.startNs) / 1e9 };
    const remote = {
      bytes: peer?.bytes ?? 0,
      seconds: (peer?.end_time ?? 0) - (peer?.start_time ?? 0),
    };
    const [snd, rcv] = s.sender ? [local, remote] : [remote, local];
    return {
      s,
      sentBytes: snd.bytes,
      sentSeconds: snd.seconds,
      retransmits: s.sender ? s.retransmits : Math.max(0, peer?.retransmits ?? 0),
      receivedBytes: rcv.bytes,
      receivedSeconds: rcv.seconds,
      packets: s.sender ? s.packetCount : (peer?.packets ?? 0),
      lost: s.sender ? (peer?.errors ?? 0) : s.cntError,
      jitter: s.sender ? (peer?.jitter ?? 0) : s.jitter,
    };
  });
}

/** The summary after the separator. */
export function summaryLines(t: IperfTest): string[] {
  const out = [SEPARATOR, header(t, true)];
  const totals = streamTotals(t);
  const retr = !t.o.udp && (t.senderHasRetransmits || t.remote?.sender_has_retransmits === 1);
  const groups = t.o.bidirectional ? (t.role === "c" ? [true, false] : [false, true]) : [null];
  for (const g of groups) {
    const members = totals.filter((x) => g === null || x.s.sender === g);
    for (const x of members) {
      const sendTail = t.o.udp
        ? udpLoss(0, 0, x.packets)
        : retr
          ? `  ${int(x.retransmits, 3)}             `
          : "                  ";
      const recvTail = t.o.udp ? udpLoss(x.jitter, x.lost, x.packets) : "                  ";
      out.push(
        line(t, x.s, x.s.sender, 0, x.sentSeconds, x.sentSeconds, x.sentBytes, sendTail, "sender"),
      );
      out.push(
        line(
          t,
          x.s,
          x.s.sender,
          0,
          x.receivedSeconds,
          x.receivedSeconds,
          x.receivedBytes,
          recvTail,
          "receiver",
        ),
      );
    }
    if (t.o.numStreams > 1) {
      const sum = (f: (x: StreamTotals) => number) => members.reduce((a, x) => a + f(x), 0);
      const sentS = Math.max(...members.map((x) => x.sentSeconds));
      const recvS = Math.max(...members.map((x) => x.receivedSeconds));
      const sender = members[0]!.s.sender;
      const sendTail = t.o.udp
        ? udpLoss(
            0,
            0,
            sum((x) => x.packets),
          )
        : retr
          ? `  ${int(
              sum((x) => x.retransmits),
              3,
            )}             `
          : "                  ";
      const recvTail = t.o.udp
        ? udpLoss(
            sum((x) => x.jitter) / members.length,
            sum((x) => x.lost),
            sum((x) => x.packets),
          )
        : "                  ";
      out.push(
        line(
          t,
          "SUM",
          sender,
          0,
          sentS,
          sentS,
          sum((x) => x.sentBytes),
          sendTail,
          "sender",
        ),
      );
      out.push(
        line(
          t,
          "SUM",
          sender,
          0,
          recvS,
          recvS,
          sum((x) => x.receivedBytes),
          recvTail,
          "receiver",
        ),
      );
    }
  }
  return out;
}
