/*
 * iperf3 3.12's command line (src/iperf_api.c iperf_parse_arguments), for
 * the flags the lab runs: getopt_long's rules (short flags cluster, a
 * value may follow its flag or be the next word, --name=value), the same
 * defaults (TCP blocks of 128 KiB, UDP at 1 Mbit/s with blocks from the
 * control connection's MSS, 1 s intervals, 10 s) and the same checks in
 * the same order, each failing with iperf3's own message.
 */

import { atoi, unitAtof, unitAtofRate, unitAtoi } from "../units.js";
import { USAGE_LONG } from "./usage.js";

/** Limits of iperf3 3.12 (src/iperf.h, iperf_api.h). */
export const PORT = 5201;
export const DURATION = 10;
export const DEFAULT_TCP_BLKSIZE = 128 * 1024;
export const DEFAULT_UDP_RATE = 1024 * 1024;
const MAX_TIME = 86_400;
const MAX_STREAMS = 128;
const MAX_BLOCKSIZE = 1024 * 1024;
const MIN_UDP_BLOCKSIZE = 4 + 4 + 4; // sec, usec and a 32-bit packet count
const MAX_UDP_BLOCKSIZE = 65_535 - 8 - 20;
const MAX_TCP_BUFFER = 512 * 1024 * 1024;
const MAX_MSS = 9 * 1024;
const MAX_OMIT_TIME = 600;
const MIN_INTERVAL = 0.1;
const MAX_INTERVAL = 60;

export interface Iperf3Options {
  role: "c" | "s";
  host: string;
  port: number;
  duration: number;
  bytes: number;
  blocks: number;
  interval: number;
  omit: number;
  numStreams: number;
  reverse: boolean;
  bidirectional: boolean;
  udp: boolean;
  /** Bits per second (0: unlimited). */
  rate: number;
  /** 0 for UDP without -l: the control connection's MSS decides. */
  blksize: number;
  /** -w: 0 leaves the kernel's default. */
  socketBufsize: number;
  noDelay: boolean;
  mss: number;
  congestion: string;
  json: boolean;
  getServerOutput: boolean;
}

/** What a parse ends in that is not a test: an exit with iperf3's messages. */
export class Iperf3Exit extends Error {
  constructor(
    readonly stdout: string,
    readonly stderr: string,
    readonly status: number,
  ) {
    super(stderr.trim());
  }
}

/** main(): the message on stderr, a blank line, then usage_long on stdout, exit 1. */
function parameterError(msg: string): Iperf3Exit {
  return new Iperf3Exit(USAGE_LONG, `iperf3: parameter error - ${msg}\n\n`, 1);
}

/** iperf3 3.12's getopt string: every short flag it knows, ":" after those that take a value. */
const OPTSTRING = "p:f:i:D1VJvsc:ub:t:n:k:l:P:Rw:B:M:N46S:L:ZO:F:A:T:C:dI:hX:";
const SHORT = new Map<string, boolean>();
for (let i = 0; i < OPTSTRING.length; i++) {
  if (OPTSTRING[i] !== ":") SHORT.set(OPTSTRING[i]!, OPTSTRING[i + 1] === ":");
}
/** The long names the lab runs, with their short equivalents. */
const LONG: Record<string, { flag: string; value: boolean }> = {
  port: { flag: "p", value: true },
  interval: { flag: "i", value: true },
  json: { flag: "J", value: false },
  server: { flag: "s", value: false },
  client: { flag: "c", value: true },
  udp: { flag: "u", value: false },
  bitrate: { flag: "b", value: true },
  bandwidth: { flag: "b", value: true },
  time: { flag: "t", value: true },
  bytes: { flag: "n", value: true },
  blockcount: { flag: "k", value: true },
  length: { flag: "l", value: true },
  parallel: { flag: "P", value: true },
  reverse: { flag: "R", value: false },
  bidir: { flag: "bidir", value: false },
  window: { flag: "w", value: true },
  "set-mss": { flag: "M", value: true },
  "no-delay": { flag: "N", value: false },
  omit: { flag: "O", value: true },
  congestion: { flag: "C", value: true },
  "get-server-output": { flag: "get-server-output", value: false },
  help: { flag: "h", value: false },
};

/** getopt_long over argv: [flag, value] pairs in order, or getopt's own complaint. */
function getopt(argv: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const o = LONG[name];
      if (o === undefined) throw unknown(`iperf3: unrecognized option '${a}'\n`);
      if (!o.value) {
        if (inline !== undefined) {
          throw unknown(`iperf3: option '--${name}' doesn't allow an argument\n`);
        }
        out.push([o.flag, ""]);
      } else if (inline !== undefined) out.push([o.flag, inline]);
      else if (i + 1 < argv.length) out.push([o.flag, argv[++i]!]);
      else throw unknown(`iperf3: option '--${name}' requires an argument\n`);
      continue;
    }
    if (!a.startsWith("-") || a === "-") continue; // getopt moves operands aside; iperf3 ignores them
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const takesValue = SHORT.get(c);
      if (takesValue === undefined) throw unknown(`iperf3: invalid option -- '${c}'\n`);
      if (takesValue) {
        if (j + 1 < a.length) out.push([c, a.slice(j + 1)]);
        else if (i + 1 < argv.length) out.push([c, argv[++i]!]);
        else throw unknown(`iperf3: option requires an argument -- '${c}'\n`);
        break;
      }
      out.push([c, ""]);
    }
  }
  return out;
}

/** getopt's complaint, then usage_long to stderr and exit 1 (iperf_parse_arguments' default case). */
function unknown(msg: string): Iperf3Exit {
  return new Iperf3Exit("", msg + USAGE_LONG, 1);
}

/** Parses an iperf3 command line (without the program name). */
export function parseIperf3(argv: readonly string[]): Iperf3Options {
  const o: Iperf3Options = {
    role: "c",
    host: "",
    port: PORT,
    duration: DURATION,
    bytes: 0,
    blocks: 0,
    interval: 1,
    omit: 0,
    numStreams: 1,
    reverse: false,
    bidirectional: false,
    udp: false,
    rate: 0,
    blksize: 0,
    socketBufsize: 0,
    noDelay: false,
    mss: 0,
    congestion: "",
    json: false,
    getServerOutput: false,
  };
  let role = "";
  let clientFlag = false;
  let rateFlag = false;
  let durationFlag = false;
  let blksize = 0;
  for (const [flag, v] of getopt(argv)) {
    switch (flag) {
      case "p": {
        const p = atoi(v);
        if (p < 1 || p > 65_535)
          throw parameterError("port number must be between 1 and 65535 inclusive");
        o.port = p;
        break;
      }
      case "i":
        o.interval = Number.parseFloat(v) || 0;
        if ((o.interval < MIN_INTERVAL || o.interval > MAX_INTERVAL) && o.interval !== 0) {
          throw parameterError(
            `invalid report interval (min = ${MIN_INTERVAL}, max = ${MAX_INTERVAL} seconds)`,
          );
        }
        break;
      case "J":
        o.json = true;
        break;
      case "s":
        if (role === "c") throw parameterError("cannot be both server and client");
        role = "s";
        break;
      case "c":
        if (role === "s") throw parameterError("cannot be both server and client");
        role = "c";
        o.host = v;
        break;
      case "u":
        o.udp = true;
        clientFlag = true;
        break;
      case "b":
        o.rate = unitAtofRate(v);
        rateFlag = true;
        clientFlag = true;
        break;
      case "t":
        o.duration = atoi(v);
        if (o.duration > MAX_TIME) {
          throw parameterError(`test duration too long (maximum = ${MAX_TIME} seconds)`);
        }
        durationFlag = true;
        clientFlag = true;
        break;
      case "n":
        o.bytes = unitAtoi(v);
        clientFlag = true;
        break;
      case "k":
        o.blocks = unitAtoi(v);
        clientFlag = true;
        break;
      case "l":
        blksize = unitAtoi(v);
        clientFlag = true;
        break;
      case "P":
        o.numStreams = atoi(v);
        if (o.numStreams > MAX_STREAMS) {
          throw parameterError(`number of parallel streams too large (maximum = ${MAX_STREAMS})`);
        }
        clientFlag = true;
        break;
      case "R":
        if (o.bidirectional) throw parameterError("cannot be both reverse and bidirectional");
        o.reverse = true;
        clientFlag = true;
        break;
      case "bidir":
        if (o.reverse) throw parameterError("cannot be both reverse and bidirectional");
        o.bidirectional = true;
        clientFlag = true;
        break;
      case "w": {
        const w = unitAtof(v);
        if (w > MAX_TCP_BUFFER) {
          throw parameterError(`socket buffer size too large (maximum = ${MAX_TCP_BUFFER} bytes)`);
        }
        o.socketBufsize = Math.trunc(w);
        clientFlag = true;
        break;
      }
      case "M":
        o.mss = atoi(v);
        if (o.mss > MAX_MSS) throw parameterError(`TCP MSS too large (maximum = ${MAX_MSS} bytes)`);
        clientFlag = true;
        break;
      case "N":
        o.noDelay = true;
        clientFlag = true;
        break;
      case "O":
        o.omit = atoi(v);
        if (o.omit < 0 || o.omit > MAX_OMIT_TIME) throw parameterError("bogus value for --omit");
        clientFlag = true;
        break;
      case "C":
        o.congestion = v;
        clientFlag = true;
        break;
      case "get-server-output":
        o.getServerOutput = true;
        clientFlag = true;
        break;
      case "h":
        throw new Iperf3Exit(USAGE_LONG, "", 0);
      default:
        // a flag iperf3 has that the lab does not run
        throw parameterError("an option you are trying to set is not implemented yet");
    }
  }
  if (role === "s" && clientFlag)
    throw parameterError("some option you are trying to set is client only");
  if (blksize === 0 && !o.udp) blksize = DEFAULT_TCP_BLKSIZE;
  if ((!o.udp && blksize <= 0) || blksize > MAX_BLOCKSIZE) {
    throw parameterError(`block size too large (maximum = ${MAX_BLOCKSIZE} bytes)`);
  }
  if (o.udp && blksize > 0 && (blksize < MIN_UDP_BLOCKSIZE || blksize > MAX_UDP_BLOCKSIZE)) {
    throw parameterError(
      `block size invalid (minimum = ${MIN_UDP_BLOCKSIZE} bytes, maximum = ${MAX_UDP_BLOCKSIZE} bytes)`,
    );
  }
  o.blksize = blksize;
  if (!rateFlag) o.rate = o.udp ? DEFAULT_UDP_RATE : 0;
  if ((o.bytes !== 0 || o.blocks !== 0) && !durationFlag) o.duration = 0;
  if (
    (durationFlag && o.bytes !== 0) ||
    (durationFlag && o.blocks !== 0) ||
    (o.bytes !== 0 && o.blocks !== 0)
  ) {
    throw parameterError("only one test end condition (-t, -n, -k) may be specified");
  }
  if (role !== "c" && role !== "s")
    throw parameterError("must either be a client (-c) or server (-s)");
  o.role = role;
  return o;
}
