/*
 * netperf 2.7.1's classic output, as the migrated tests print it
 * (src/nettest_omni.c send_tcp_stream, send_tcp_maerts, send_tcp_rr,
 * send_tcp_conn_rr, send_udp_stream, send_udp_rr; nettest_bsd.c
 * print_top_test_header): the banner, the titles and the result lines, or
 * with -P 0 the result lines alone.
 */

import { fixed, int } from "../units.js";
import type { NetperfOptions, NetperfTest } from "./options.js";
import type { NetperfResult } from "./tests.js";

const TITLES: Record<NetperfTest, string> = {
  TCP_STREAM: "MIGRATED TCP STREAM TEST",
  TCP_MAERTS: "MIGRATED TCP MAERTS TEST",
  TCP_RR: "MIGRATED TCP REQUEST/RESPONSE TEST",
  TCP_CRR: "MIGRATED TCP Connect/Request/Response TEST",
  UDP_STREAM: "MIGRATED UDP STREAM TEST",
  UDP_RR: "MIGRATED UDP REQUEST/RESPONSE TEST",
};

/**
 * print_top_test_header. The address in parentheses goes through a buffer
 * of sizeof(char *) bytes (a bug in netperf): "0.0.0.0" fits, a longer
 * address prints as nothing, as the reference outputs show.
 */
function banner(o: NetperfOptions, addr: string): string {
  const paren = (a: string) => (a.length < 8 ? a : "");
  const burst = TITLES[o.test].includes("REQUEST/RESPONSE") ? " : first burst 0" : "";
  return `${TITLES[o.test]} from 0.0.0.0 (${paren("0.0.0.0")}) port 0 AF_INET to ${addr} (${paren(addr)}) port 0 AF_INET${burst}`;
}

const STREAM_TITLE = [
  "Recv   Send    Send                          ",
  "Socket Socket  Message  Elapsed              ",
  "Size   Size    Size     Time     Throughput  ",
  "bytes  bytes   bytes    secs.    10^6bits/sec  ",
  "",
];

const RR_TITLE = [
  "Local /Remote",
  "Socket Size   Request  Resp.   Elapsed  Trans.",
  "Send   Recv   Size     Size    Time     Rate         ",
  "bytes  Bytes  bytes    bytes   secs.    per sec   ",
  "",
];

const UDP_STREAM_TITLE = [
  "Socket  Message  Elapsed      Messages                ",
  "Size    Size     Time         Okay Errors   Throughput",
  "bytes   bytes    secs            #      #   10^6bits/sec",
  "",
];

const mbps = (bytes: number, s: number) => (s > 0 ? (bytes * 8) / s / 1e6 : 0);

/** Everything netperf prints for a finished test. */
export function netperfOutput(o: NetperfOptions, addr: string, r: NetperfResult): string {
  const lines: string[] = [];
  const head = (title: string[]) => {
    if (o.headers) lines.push(...title);
  };
  if (o.headers) lines.push(banner(o, addr));
  const el = fixed(r.elapsedS, 6, 2, true);
  switch (o.test) {
    case "TCP_STREAM":
      head(STREAM_TITLE);
      lines.push(
        `${int(r.rsrSize, 6)} ${int(r.lssSize, 6)} ${int(r.sendSize, 6)}    ${el}   ${fixed(mbps(r.bytesSent, r.elapsedS), 7, 2)}   `,
      );
      break;
    case "TCP_MAERTS":
      head(STREAM_TITLE);
      lines.push(
        `${int(r.lsrSize, 6)} ${int(r.rssSize, 6)} ${int(r.recvSize, 6)}    ${el}   ${fixed(mbps(r.bytesReceived, r.elapsedS), 7, 2)}   `,
      );
      break;
    case "TCP_RR":
    case "TCP_CRR":
    case "UDP_RR": {
      head(RR_TITLE);
      const rate = r.elapsedS > 0 ? r.transactions / r.elapsedS : 0;
      lines.push(
        `${int(r.lssSize, 6, true)} ${int(r.lsrSize, 6, true)} ${int(o.reqSize, 6, true)}   ${int(o.rspSize, 6, true)}  ${el}   ${fixed(rate, 7, 2)}   `,
      );
      lines.push(`${int(r.rssSize, 6, true)} ${int(r.rsrSize, 6, true)}`);
      break;
    }
    case "UDP_STREAM":
      head(UDP_STREAM_TITLE);
      lines.push(
        `${int(r.lssSize, 6)}  ${int(r.sendSize, 6)}   ${fixed(r.elapsedS, 7, 2, true)}   ${int(r.sendCalls, 7)} ${int(r.failedSends, 6)}    ${fixed(mbps(r.bytesSent, r.elapsedS), 7, 2)}`,
      );
      lines.push(
        `${int(r.rsrSize, 6)}           ${fixed(r.elapsedS, 7, 2, true)}   ${int(r.remoteRecvCalls, 7)}           ${fixed(mbps(r.remoteBytes, r.elapsedS), 7, 2)}`,
      );
      lines.push("");
      break;
  }
  return `${lines.join("\n")}\n`;
}
