/*
 * What tcp_input's steps share (tcp_input.ts, tcp_input_open.ts,
 * tcp_input_close.ts): the segment as its locals, the labels a step ends
 * at (NetBSD's gotos: drop, dropafterack, dropwithreset, step6, findpcb),
 * and the timestamp comparison PAWS uses.
 */

import type { mbuf } from "./mbuf.js";

/** What is left to do with a segment when its processing stops. */
export const DONE = 0; // consumed
export const DROP = 1; // free it
export const DROPAFTERACK = 2; // free it and send an ACK (unless it is a RST)
export const DROPWITHRESET = 3; // free it and answer with a RST
export const STEP6 = 4; // go on to the window update, data and FIN
export const FINDPCB = 5; // look the segment up again (its connection is gone)

/** ts_recent older than this is not trusted for PAWS (TCP_PAWS_IDLE, 24 days), in ms of tcp_now. */
export const TCP_PAWS_IDLE = 24 * 24 * 60 * 60 * 1_000;

/** TSTMP_LT: timestamps compared modulo 2^32. */
export function TSTMP_LT(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** The segment being processed: tcp_input's locals. */
export interface tcpseg {
  m: mbuf;
  seq: number;
  ack: number;
  tiwin: number;
  tiflags: number;
  tlen: number;
  needoutput: boolean;
  /** Header prediction would take it as in-order data (tcp_autosize.ts): tcp_output only for an ACK due. */
  predicted: boolean;
  /** The 4-tuple, read before the headers are trimmed. */
  faddr: number;
  fport: number;
  laddr: number;
  lport: number;
}
