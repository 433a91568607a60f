/*
 * The layout of a segment's TCP options, after FreeBSD
 * sys/netinet/tcp_output.c tcp_addoptions: MSS; window scale after NOPs
 * that put it at an odd offset; SACK-permitted at an even one; timestamps
 * at an offset of 2 mod 4; then EOL bytes to a 32-bit boundary. A SYN
 * offering everything reads <mss, nop, wscale, sackOK, TS>; a data segment
 * <nop, nop, TS> (NetBSD's TCPOLEN_TSTAMP_APPA layout, the same 12 bytes).
 * What the header says (packet.ts) decides which options are present;
 * this file decides their bytes, for th_off and for packetdrill's checks.
 * Left out: SACK blocks, TCP-MD5 and TCP-AO.
 */

import type { PacketHeader } from "./packet.js";

/** Option kinds (tcp.h TCPOPT_*), with the length each takes. */
export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MAXSEG = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_TIMESTAMP = 8;
const OPTLEN: readonly number[] = [1, 1, 4, 3, 2, 0, 0, 0, 10];

/**
 * tcp_addoptions: the option bytes of a segment carrying these options,
 * each kind pushed on `kinds` when given (padding included).
 */
export function tcp_addoptions(
  mss: boolean,
  wscale: boolean,
  sackperm: boolean,
  ts: boolean,
  kinds: number[] | null,
): number {
  let len = 0;
  const put = (kind: number) => {
    kinds?.push(kind);
    len += OPTLEN[kind]!;
  };
  if (mss) put(TCPOPT_MAXSEG);
  if (wscale) {
    while (len === 0 || len % 2 !== 1) put(TCPOPT_NOP);
    put(TCPOPT_WINDOW);
  }
  if (sackperm) {
    while (len % 2 !== 0) put(TCPOPT_NOP);
    put(TCPOPT_SACK_PERMITTED);
  }
  if (ts) {
    while (len === 0 || len % 4 !== 2) put(TCPOPT_NOP);
    put(TCPOPT_TIMESTAMP);
  }
  while (len % 4 !== 0) put(TCPOPT_EOL);
  return len;
}

/** The option kinds of a segment as it went out, padding included. */
export function tcp_optkinds(h: PacketHeader): number[] {
  const kinds: number[] = [];
  tcp_addoptions(h.th_mss > 0, h.th_wscale >= 0, h.th_sackperm, h.th_ts, kinds);
  return kinds;
}
