/*
 * The layout of a segment's TCP options, as each kernel's tcp_output.c
 * lays them out:
 *
 * - FreeBSD (tcp_addoptions): MSS; window scale after NOPs that put it at
 *   an odd offset; SACK-permitted at an even one; timestamps at an offset
 *   of 2 mod 4; SACK blocks at 2 mod 4; then EOL bytes to a 32-bit
 *   boundary. A SYN offering everything reads <mss, nop, wscale, sackOK,
 *   TS> (20 bytes).
 * - NetBSD: 32-bit words in a fixed order: MSS; <nop, wscale>;
 *   <sackOK, nop, nop>; <nop, nop, TS>; <nop, nop, SACK blocks>. The same
 *   SYN takes 24 bytes.
 *
 * Both give a data segment <nop, nop, TS> (TCPOLEN_TSTAMP_APPA) and SACK
 * blocks 4 + 8n bytes (TCP_SACK_OPTLEN). What the header says (packet.ts)
 * decides which options are present; this file decides their bytes, for
 * th_off and for packetdrill's checks. Left out: TCP-MD5 and TCP-AO.
 */

import type { PacketHeader } from "./packet.js";
import type { SysctlPreset } from "./tcp_sysctl.js";

/** Option kinds (tcp.h TCPOPT_*), with the length each takes (SACK's: its header, blocks apart). */
export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MAXSEG = 2;
export const TCPOPT_WINDOW = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;
const OPTLEN: readonly number[] = [1, 1, 4, 3, 2, 2, 0, 0, 10];

/**
 * The lengths tcp_addoptions has given without `kinds`, by layout, options
 * and SACK blocks (up to 7); -1 until first asked. tcp_output asks on every
 * segment, and laying the options out allocates.
 */
const OPTLENS = new Int16Array(2 * 16 * 8).fill(-1);

/**
 * tcp_addoptions: the option bytes of a segment carrying these options
 * (`sackblks` SACK blocks) in `layout`'s kernel, each kind pushed on
 * `kinds` when given (padding included).
 */
export function tcp_addoptions(
  layout: SysctlPreset,
  mss: boolean,
  wscale: boolean,
  sackperm: boolean,
  ts: boolean,
  sackblks: number,
  kinds: number[] | null,
): number {
  const opts =
    (layout === "netbsd" ? 16 : 0) | (mss ? 8 : 0) | (wscale ? 4 : 0) | (sackperm ? 2 : 0);
  const key = kinds === null && sackblks < 8 ? (opts | (ts ? 1 : 0)) * 8 + sackblks : -1;
  if (key >= 0 && OPTLENS[key]! >= 0) return OPTLENS[key]!;
  let len = 0;
  const put = (kind: number) => {
    kinds?.push(kind);
    len += OPTLEN[kind]!;
  };
  if (layout === "netbsd") {
    if (mss) put(TCPOPT_MAXSEG);
    if (wscale) [TCPOPT_NOP, TCPOPT_WINDOW].forEach(put);
    if (sackperm) [TCPOPT_SACK_PERMITTED, TCPOPT_NOP, TCPOPT_NOP].forEach(put);
    if (ts) [TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP].forEach(put);
    if (sackblks > 0) [TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK].forEach(put);
    len += 8 * sackblks;
  } else {
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
    if (sackblks > 0) {
      while (len === 0 || len % 4 !== 2) put(TCPOPT_NOP);
      put(TCPOPT_SACK);
      len += 8 * sackblks;
    }
    while (len % 4 !== 0) put(TCPOPT_EOL);
  }
  if (key >= 0) OPTLENS[key] = len;
  return len;
}

/** The option kinds of a segment as `layout`'s kernel sent it, padding included. */
export function tcp_optkinds(h: PacketHeader, layout: SysctlPreset): number[] {
  const kinds: number[] = [];
  const sackblks = h.th_sack === null ? 0 : h.th_sack.length / 2;
  tcp_addoptions(layout, h.th_mss > 0, h.th_wscale >= 0, h.th_sackperm, h.th_ts, sackblks, kinds);
  return kinds;
}
