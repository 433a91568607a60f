/*
 * iperf3's control protocol (src/iperf_api.h, iperf_client_api.c,
 * iperf_server_api.c): the client connects the control connection and
 * writes a 37-byte cookie (36 characters and a NUL); from then on the
 * server drives with one-byte states, and parameters and results travel
 * as JSON preceded by a 4-byte length in network order (JSON_write,
 * JSON_read). Every byte crosses the modelled TCP; the content rides in
 * StreamContent.
 */

import type { KernelGen, Rng } from "@smpnet/sim";
import { asciiBytes, bytesAscii, StreamIO } from "../payload.js";

/** States (src/iperf_api.h). */
export const TEST_START = 1;
export const TEST_RUNNING = 2;
export const TEST_END = 4;
export const PARAM_EXCHANGE = 9;
export const CREATE_STREAMS = 10;
export const SERVER_TERMINATE = 11;
export const CLIENT_TERMINATE = 12;
export const EXCHANGE_RESULTS = 13;
export const DISPLAY_RESULTS = 14;
export const IPERF_START = 15;
export const IPERF_DONE = 16;
export const ACCESS_DENIED = -1;
export const SERVER_ERROR = -2;

/** COOKIE_SIZE: 36 characters and the terminating NUL. */
export const COOKIE_SIZE = 37;
/** UDP "connect" datagrams (src/iperf_udp.c UDP_CONNECT_MSG, UDP_CONNECT_REPLY). */
export const UDP_CONNECT_MSG = 0x36373839;
export const UDP_CONNECT_REPLY = 0x39383736;

const COOKIE_CHARS = "abcdefghijklmnopqrstuvwxyz234567";

/** make_cookie: 36 characters of base32, from the run's seeded generator. */
export function make_cookie(rng: Rng): string {
  let s = "";
  for (let i = 0; i < COOKIE_SIZE - 1; i++) s += COOKIE_CHARS[rng.int(0, COOKIE_CHARS.length - 1)];
  return s;
}

/** The control connection of one end: states, the cookie and JSON. */
export class ControlChannel extends StreamIO {
  *writeState(state: number): KernelGen<number> {
    return yield* this.write([state & 0xff]);
  }

  /** A state byte, signed as iperf3's `signed char`; null when the peer went away. */
  *readState(): KernelGen<number | null> {
    const b = yield* this.read(1);
    if (b === null) return null;
    return b[0]! > 127 ? b[0]! - 256 : b[0]!;
  }

  *writeCookie(cookie: string): KernelGen<number> {
    return yield* this.write([...asciiBytes(cookie), 0]);
  }

  *readCookie(): KernelGen<string | null> {
    const b = yield* this.read(COOKIE_SIZE);
    return b === null ? null : bytesAscii(b.slice(0, COOKIE_SIZE - 1));
  }

  /** JSON_write: the length in network order, then the text. */
  *writeJson(value: unknown): KernelGen<number> {
    const text = asciiBytes(JSON.stringify(value));
    const n = text.length;
    return yield* this.write([
      (n >>> 24) & 0xff,
      (n >>> 16) & 0xff,
      (n >>> 8) & 0xff,
      n & 0xff,
      ...text,
    ]);
  }

  *readJson(): KernelGen<unknown> {
    const h = yield* this.read(4);
    if (h === null) return null;
    const n = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
    const body = yield* this.read(n);
    return body === null ? null : JSON.parse(bytesAscii(body));
  }
}
