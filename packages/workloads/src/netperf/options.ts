/*
 * netperf 2.7.1's command line (src/netsh.c scan_cmd_line and each test's
 * scan_*_args): global flags, then "--" and the test's own. The lab runs
 * -t, -H, -l, -P and -p, and the test-specific -r, -m, -M, -s, -S, -p; the
 * defaults are netperf's (TCP_STREAM, 10 s, headers on, port 12865).
 */

import { atoi } from "../units.js";
import { NETPERF_USAGE, OMNI_USAGE } from "./usage.js";

export const TESTS = [
  "TCP_STREAM",
  "TCP_MAERTS",
  "TCP_RR",
  "TCP_CRR",
  "UDP_STREAM",
  "UDP_RR",
] as const;
export type NetperfTest = (typeof TESTS)[number];

/** netperf's control port (netlib.h TEST_PORT). */
export const TEST_PORT = 12_865;

export interface NetperfOptions {
  test: NetperfTest;
  host: string;
  port: number;
  /** -l: seconds, or when negative a count of bytes (stream tests) or transactions (RR tests). */
  lengthS: number;
  headers: boolean;
  reqSize: number;
  rspSize: number;
  /** -m and -M: 0 means the socket buffer's size, as netperf takes it. */
  sendSize: number;
  recvSize: number;
  /** -s and -S: 0 leaves the kernel's default. */
  localBuf: number;
  remoteBuf: number;
  /** What getopt said of test-specific flags it did not know (netperf goes on). */
  warnings: string;
  /** -p min,max: the client ports of TCP_CRR (netperf's client_port_min, client_port_max). */
  clientPortMin: number;
  clientPortMax: number;
}

/** An exit before any test: what netperf prints and its status. */
export class NetperfExit extends Error {
  constructor(
    readonly stdout: string,
    readonly status: number,
    readonly stderr = "",
  ) {
    super(`${stdout}${stderr}`.trim());
  }
}

/** convert(): a size with k/m/g (powers of 1024) or K/M/G (powers of 1000) after it. */
function convert(s: string): number {
  const n = atoi(s);
  const suffix = /^\s*[+-]?\d+([kmgKMG])/.exec(s)?.[1];
  if (suffix === undefined) return n;
  const p = "kmg".indexOf(suffix.toLowerCase()) + 1;
  return n * (suffix === suffix.toLowerCase() ? 1024 : 1000) ** p;
}

/** break_args: "a,b" into two values, a lone value for both. */
function pair(s: string): [string, string] {
  const [a, b] = s.split(",", 2) as [string, string | undefined];
  return [a, b === undefined ? a : b === "" ? a : b];
}

/** print_netperf_usage after getopt's complaint: all on stderr, exit 1. */
function usage(complaint: string): NetperfExit {
  return new NetperfExit("", 1, complaint + NETPERF_USAGE);
}

/**
 * Walks short flags and their values the way getopt does; a flag it does
 * not know, or one missing its value, goes to `bad` with getopt's complaint.
 */
function* flags(
  argv: readonly string[],
  withValue: string,
  bad: (complaint: string) => void,
): Generator<[string, string]> {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("-") || a.length < 2) continue;
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (!withValue.includes(c) && c !== "h") {
        bad(`netperf: invalid option -- '${c}'\n`);
        continue;
      }
      if (withValue.includes(c)) {
        const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (v === undefined) {
          bad(`netperf: option requires an argument -- '${c}'\n`);
          break;
        }
        yield [c, v];
        break;
      }
      yield [c, ""];
    }
  }
}

export function parseNetperf(argv: readonly string[]): NetperfOptions {
  const dash = argv.indexOf("--");
  const global = dash < 0 ? argv : argv.slice(0, dash);
  const specific = dash < 0 ? [] : argv.slice(dash + 1);
  const o: NetperfOptions = {
    test: "TCP_STREAM",
    host: "dut",
    port: TEST_PORT,
    lengthS: 10,
    headers: true,
    reqSize: 1,
    rspSize: 1,
    sendSize: 0,
    recvSize: 0,
    localBuf: 0,
    remoteBuf: 0,
    warnings: "",
    clientPortMin: 5000,
    clientPortMax: 65_535,
  };
  // scan_cmd_line: -h or a flag getopt rejects prints the usage and exits
  const fatal = (complaint: string) => {
    throw usage(complaint);
  };
  for (const [f, v] of flags(global, "tHlPp", fatal)) {
    if (f === "h") throw usage("");
    if (f === "t") {
      const name = v.toUpperCase();
      if (!(TESTS as readonly string[]).includes(name)) {
        throw new NetperfExit(
          `The test you requested (${v}) is unknown to this netperf.\n` +
            "Please verify that you have the correct test name, \n" +
            "and that test family has been compiled into this netperf.\n",
          1,
        );
      }
      o.test = name as NetperfTest;
    } else if (f === "H") o.host = v;
    else if (f === "l") o.lengthS = atoi(v);
    else if (f === "P") o.headers = atoi(v) !== 0;
    else if (f === "p") o.port = atoi(v);
  }
  // scan_omni_args: getopt's '?' falls through to -4, so netperf goes on
  const warn = (complaint: string) => {
    o.warnings += complaint;
  };
  for (const [f, v] of flags(specific, "rmMsSp", warn)) {
    if (f === "h") throw new NetperfExit(OMNI_USAGE, 1);
    if (f === "r") [o.reqSize, o.rspSize] = pair(v).map(convert) as [number, number];
    else if (f === "m") o.sendSize = convert(v);
    else if (f === "M") o.recvSize = convert(v);
    else if (f === "s") o.localBuf = convert(pair(v)[0]);
    else if (f === "S") o.remoteBuf = convert(pair(v)[0]);
    else if (f === "p") {
      const [lo, hi] = v.split(",", 2) as [string, string | undefined];
      if (lo !== "") o.clientPortMin = atoi(lo);
      if (hi !== undefined && hi !== "") o.clientPortMax = atoi(hi);
    }
  }
  return o;
}
