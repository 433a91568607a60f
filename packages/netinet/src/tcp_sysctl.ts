/*
 * TCP's tunables as sysctl-named values, with two presets: `netbsd` (the
 * defaults of NetBSD-current) and `freebsd` (FreeBSD 14, hz = 1000), each
 * value with the source file that sets it. A kernel starts from one preset
 * (NetKernelOptions.defaults) and may change single values
 * (NetKernelOptions.sysctl, or `sysctl -w` in a packetdrill script).
 *
 * Times are in ms, as FreeBSD's sysctls take them (NetBSD keeps most in
 * slow-timer ticks of 500 ms; its values are converted). A name one of the
 * kernels lacks keeps the behaviour that kernel has, and says so. Values
 * marked `modelled: false` name behaviour the model does not vary (ECN, the
 * host cache, blackholing): only the preset's value may be written, so a
 * script that needs another is refused rather than run wrongly.
 */

import { SimError } from "@smpnet/sim";

export interface SysctlDef {
  /** What the value does, with its unit. */
  doc: string;
  /** The smallest and largest value accepted. */
  min: number;
  max: number;
  /** The model reads it (false: only the preset's value may be set). */
  modelled: boolean;
  /** A preset under which only its own value may be set: that kernel has no such choice. */
  fixedUnder?: SysctlPreset;
  netbsd: readonly [value: number, source: string];
  freebsd: readonly [value: number, source: string];
}

const NO_NETBSD = "NetBSD has no such sysctl; the behaviour it has";
const BOOL = { min: 0, max: 1 } as const;

export const TCP_SYSCTLS = {
  "net.inet.tcp.mssdflt": {
    doc: "MSS assumed of a peer that sends no MSS option (bytes)",
    min: 64,
    max: 65_535,
    modelled: true,
    netbsd: [536, "tcp_subr.c tcp_mssdflt = TCP_MSS"],
    freebsd: [536, "tcp_subr.c V_tcp_mssdflt = TCP_MSS"],
  },
  "net.inet.tcp.rfc1323": {
    doc: "offer window scaling and timestamps (RFC 7323): 1 both, 0 neither",
    ...BOOL,
    modelled: true,
    netbsd: [1, "tcp_subr.c tcp_do_rfc1323 = 1"],
    freebsd: [1, "tcp_subr.c V_tcp_do_rfc1323 = 1"],
  },
  "net.inet.tcp.sack.enable": {
    doc: "offer and accept SACK-permitted (RFC 2018)",
    ...BOOL,
    modelled: true,
    netbsd: [1, "tcp_subr.c tcp_do_sack = 1"],
    freebsd: [1, "tcp_sack.c V_tcp_do_sack = 1"],
  },
  "net.inet.tcp.sendspace": {
    doc: "send buffer of a new TCP socket (bytes)",
    min: 1,
    max: 1 << 30,
    modelled: true,
    netbsd: [32_768, "tcp_usrreq.c TCP_SENDSPACE 1024*32"],
    freebsd: [32_768, "tcp_usrreq.c V_tcp_sendspace = 1024*32"],
  },
  "net.inet.tcp.recvspace": {
    doc: "receive buffer of a new TCP socket (bytes)",
    min: 1,
    max: 1 << 30,
    modelled: true,
    netbsd: [32_768, "tcp_usrreq.c TCP_RECVSPACE 1024*32"],
    freebsd: [65_536, "tcp_usrreq.c V_tcp_recvspace = 1024*64"],
  },
  "kern.ipc.maxsockbuf": {
    doc: "largest socket buffer (sb_max, bytes); sets the window scale offered",
    min: 2_048,
    max: 1 << 30,
    modelled: true,
    netbsd: [262_144, "uipc_socket2.c sb_max = SB_MAX (sys/socketvar.h 256*1024)"],
    freebsd: [2_097_152, "uipc_sockbuf.c sb_max = SB_MAX (sys/sys/sockbuf.h 2*1024*1024)"],
  },
  "net.inet.tcp.sendbuf_auto": {
    doc: "grow a TCP socket's send buffer as the connection fills it (tcp_autosize.ts)",
    ...BOOL,
    modelled: true,
    netbsd: [1, "tcp_output.c tcp_do_autosndbuf = 1"],
    freebsd: [1, "tcp_output.c V_tcp_do_autosndbuf = 1"],
  },
  "net.inet.tcp.sendbuf_inc": {
    doc: "step of send-buffer autosizing (bytes)",
    min: 1,
    max: 1 << 30,
    modelled: true,
    netbsd: [8_192, "tcp_output.c tcp_autosndbuf_inc = 8 * 1024"],
    freebsd: [8_192, "tcp_output.c V_tcp_autosndbuf_inc = 8*1024"],
  },
  "net.inet.tcp.sendbuf_max": {
    doc: "largest send buffer autosizing makes (bytes)",
    min: 1,
    max: 1 << 30,
    modelled: true,
    netbsd: [262_144, "tcp_output.c tcp_autosndbuf_max = 256 * 1024"],
    freebsd: [2_097_152, "tcp_output.c V_tcp_autosndbuf_max = 2*1024*1024"],
  },
  "net.inet.tcp.recvbuf_auto": {
    doc: "grow a TCP socket's receive buffer as a bulk stream fills it (tcp_autosize.ts)",
    ...BOOL,
    modelled: true,
    netbsd: [1, "tcp_input.c tcp_do_autorcvbuf = 1"],
    freebsd: [1, "tcp_input.c V_tcp_do_autorcvbuf = 1"],
  },
  "net.inet.tcp.recvbuf_inc": {
    doc: "step of receive-buffer autosizing (bytes)",
    min: 1,
    max: 1 << 30,
    modelled: true,
    fixedUnder: "freebsd",
    netbsd: [16_384, "tcp_input.c tcp_autorcvbuf_inc = 16 * 1024"],
    freebsd: [
      16_384,
      "FreeBSD has no such sysctl now: tcp_input.c tcp_autorcvbuf grows by half of sb_hiwat",
    ],
  },
  "net.inet.tcp.recvbuf_max": {
    doc: "largest receive buffer autosizing makes (bytes)",
    min: 1,
    max: 1 << 30,
    modelled: true,
    netbsd: [262_144, "tcp_input.c tcp_autorcvbuf_max = 256 * 1024"],
    freebsd: [2_097_152, "tcp_input.c V_tcp_autorcvbuf_max = 2*1024*1024"],
  },
  "net.inet.tcp.rfc3042": {
    doc: "limited transmit (RFC 3042): a new segment on each of the first two duplicate ACKs",
    ...BOOL,
    modelled: true,
    netbsd: [0, `${NO_NETBSD}: tcp_input.c sends nothing before the third duplicate ACK`],
    freebsd: [1, "tcp_input.c V_tcp_do_rfc3042 = 1"],
  },
  "net.inet.tcp.delayed_ack": {
    doc: "delay ACKs of in-order data (1) or ACK every segment (0)",
    ...BOOL,
    modelled: true,
    netbsd: [1, `${NO_NETBSD}: tcp_input.c always delays (TCP_SETUP_ACK)`],
    freebsd: [1, "tcp_input.c V_tcp_delack_enabled = 1"],
  },
  "net.inet.tcp.delacktime": {
    doc: "delayed-ACK timer (ms)",
    min: 1,
    max: 1_000,
    modelled: true,
    netbsd: [200, "tcp_subr.c tcp_delack_ticks = hz / PR_FASTHZ (net.inet.tcp.delack_ticks)"],
    freebsd: [40, "tcp_timer.c tcp_delacktime = TCPTV_DELACK (tcp_timer.h hz / 25)"],
  },
  "net.inet.tcp.initcwnd_segments": {
    doc: "initial congestion window in segments (NetBSD's net.inet.tcp.init_win)",
    min: 1,
    max: 10,
    modelled: true,
    netbsd: [4, "tcp_subr.c tcp_init_win = TCP_INIT_WIN 4 (RFC 3390)"],
    freebsd: [10, "tcp_input.c V_tcp_initcwnd_segments = 10 (RFC 6928)"],
  },
  "net.inet.tcp.rexmit_initial": {
    doc: "retransmit timeout before any RTT sample (ms)",
    min: 1,
    max: 64_000,
    modelled: true,
    netbsd: [3_000, "tcp_timer.h TCPTV_SRTTDFLT 3 * PR_SLOWHZ (net.inet.tcp.rttdflt)"],
    freebsd: [1_000, "tcp_timer.c tcp_rexmit_initial = TCPTV_RTOBASE (tcp_timer.h hz)"],
  },
  "net.inet.tcp.rexmit_min": {
    doc: "least retransmit timeout (ms)",
    min: 1,
    max: 64_000,
    modelled: true,
    netbsd: [1_000, "tcp_timer.h TCPTV_MIN 2 slow ticks (1 s)"],
    freebsd: [30, "tcp_timer.c tcp_rexmit_min = TCPTV_MIN (tcp_timer.h hz / 33)"],
  },
  "net.inet.tcp.rexmit_slop": {
    doc: "added to every computed retransmit timeout (ms)",
    min: 0,
    max: 64_000,
    modelled: true,
    netbsd: [0, `${NO_NETBSD}: TCPT_RANGESET adds nothing`],
    freebsd: [200, "tcp_timer.c tcp_rexmit_slop = TCPTV_CPU_VAR (tcp_timer.h hz / 5)"],
  },
  "net.inet.tcp.msl": {
    doc: "maximum segment lifetime; TIME_WAIT lasts twice this (ms)",
    min: 1,
    max: 600_000,
    modelled: true,
    netbsd: [30_000, "tcp_timer.h TCPTV_MSL 30 * PR_SLOWHZ (net.inet.tcp.mslt)"],
    freebsd: [30_000, "tcp_timer.c tcp_msl = TCPTV_MSL (tcp_timer.h 30 * hz)"],
  },
  "net.inet.tcp.keepinit": {
    doc: "time allowed to establish a connection (ms)",
    min: 1,
    max: 7_200_000,
    modelled: true,
    netbsd: [75_000, "tcp_timer.h TCPTV_KEEP_INIT 75 * PR_SLOWHZ (net.inet.tcp.keepinit)"],
    freebsd: [75_000, "tcp_timer.c tcp_keepinit = TCPTV_KEEP_INIT (tcp_timer.h 75 * hz)"],
  },
  "net.inet.tcp.keepidle": {
    doc: "idle time before the first keepalive probe (ms)",
    min: 1,
    max: 86_400_000,
    modelled: true,
    netbsd: [7_200_000, "tcp_timer.h TCPTV_KEEP_IDLE 120 * 60 * PR_SLOWHZ"],
    freebsd: [7_200_000, "tcp_timer.c tcp_keepidle = TCPTV_KEEP_IDLE (tcp_timer.h 120 * 60 * hz)"],
  },
  "net.inet.tcp.keepintvl": {
    doc: "interval between keepalive probes (ms)",
    min: 1,
    max: 86_400_000,
    modelled: true,
    netbsd: [75_000, "tcp_timer.h TCPTV_KEEPINTVL 75 * PR_SLOWHZ"],
    freebsd: [75_000, "tcp_timer.c tcp_keepintvl = TCPTV_KEEPINTVL (tcp_timer.h 75 * hz)"],
  },
  "net.inet.tcp.keepcnt": {
    doc: "unanswered keepalive probes before the connection is dropped",
    min: 1,
    max: 1_000,
    modelled: true,
    netbsd: [8, "tcp_timer.h TCPTV_KEEPCNT 8 (tcp_keepcnt)"],
    freebsd: [8, "tcp_timer.c tcp_keepcnt = TCPTV_KEEPCNT (tcp_timer.h 8)"],
  },
  "net.inet.tcp.always_keepalive": {
    doc: "probe idle connections as if every socket had SO_KEEPALIVE",
    ...BOOL,
    modelled: true,
    netbsd: [0, `${NO_NETBSD}: tcp_timer.c probes only sockets with SO_KEEPALIVE`],
    freebsd: [1, "tcp_timer.c VNET_DEFINE(int, tcp_always_keepalive) = 1"],
  },
  "net.inet.tcp.fast_finwait2_recycle": {
    doc: "a FIN_WAIT_2 connection whose socket is closed waits finwait2_timeout (1) instead of keepcnt * keepintvl idle",
    ...BOOL,
    modelled: true,
    netbsd: [
      0,
      `${NO_NETBSD}: tcp_usrreq.c and tcp_input.c arm TCPT_2MSL with t_maxidle = keepcnt * keepintvl`,
    ],
    freebsd: [0, "tcp_timer.c tcp_fast_finwait2_recycle = 0"],
  },
  "net.inet.tcp.finwait2_timeout": {
    doc: "FIN_WAIT_2 timeout of a closed socket when fast_finwait2_recycle is on (ms)",
    min: 1,
    max: 7_200_000,
    modelled: true,
    netbsd: [60_000, `${NO_NETBSD}: never read (no fast_finwait2_recycle)`],
    freebsd: [
      60_000,
      "tcp_timer.c tcp_finwait2_timeout = TCPTV_FINWAIT2_TIMEOUT (tcp_timer.h 60 * hz)",
    ],
  },
  "net.inet.tcp.insecure_rst": {
    doc: "accept any in-window RST (RFC 793) instead of RFC 5961's exact match",
    ...BOOL,
    modelled: true,
    netbsd: [0, `${NO_NETBSD}: tcp_input.c checks RSTs as RFC 5961 3.2`],
    freebsd: [0, "tcp_input.c V_tcp_insecure_rst = 0"],
  },
  "net.inet.tcp.insecure_syn": {
    doc: "reset on an in-window SYN (RFC 793) instead of RFC 5961's challenge ACK",
    ...BOOL,
    modelled: true,
    netbsd: [0, `${NO_NETBSD}: tcp_input.c answers a SYN with an ACK`],
    freebsd: [0, "tcp_input.c V_tcp_insecure_syn = 0"],
  },
  "net.inet.tcp.drop_synfin": {
    doc: "drop segments carrying both SYN and FIN",
    ...BOOL,
    modelled: true,
    netbsd: [0, `${NO_NETBSD}: tcp_input.c takes a SYN-FIN as a SYN`],
    freebsd: [0, "tcp_input.c V_drop_synfin = 0"],
  },
  "net.inet.tcp.iss_hash": {
    doc: "initial sequence numbers from a keyed hash of the 4-tuple plus a counter (RFC 1948) instead of random bits plus a counter",
    ...BOOL,
    modelled: true,
    fixedUnder: "freebsd",
    netbsd: [0, "tcp_subr.c tcp_do_rfc1948 = 0"],
    freebsd: [1, "FreeBSD has no such sysctl: tcp_subr.c tcp_new_isn always hashes (RFC 6528)"],
  },
  "net.inet.tcp.blackhole": {
    doc: "send no RST for segments to closed ports (not modelled: always 0)",
    min: 0,
    max: 2,
    modelled: false,
    netbsd: [0, `${NO_NETBSD}: RSTs are always sent`],
    freebsd: [0, "tcp_input.c V_blackhole = 0"],
  },
  "net.inet.tcp.ecn.enable": {
    doc: "ECN (not modelled: no ECN is ever offered, and no peer here asks for it)",
    min: 0,
    max: 4,
    modelled: false,
    netbsd: [0, "tcp_subr.c tcp_do_ecn = 0"],
    freebsd: [2, "tcp_ecn.c V_tcp_do_ecn = 2 (only when the peer asks)"],
  },
  "net.inet.tcp.rexmit_drop_options": {
    doc: "drop options from the third SYN retransmission on (not modelled: never)",
    ...BOOL,
    modelled: false,
    netbsd: [0, `${NO_NETBSD}: SYN retransmissions keep their options`],
    freebsd: [0, "tcp_timer.c V_tcp_rexmit_drop_options = 0"],
  },
  "net.inet.tcp.hostcache.purgenow": {
    doc: "flush the host cache (not modelled: there is none, so every connection starts empty)",
    ...BOOL,
    modelled: false,
    netbsd: [0, `${NO_NETBSD}: no host cache`],
    freebsd: [0, "tcp_hostcache.c sysctl_tcp_hc_purgenow (a write of 1 flushes)"],
  },
} as const satisfies Record<string, SysctlDef>;

export type TcpSysctlName = keyof typeof TCP_SYSCTLS;
/** One kernel's values, by sysctl name. */
export type TcpSysctlValues = Record<TcpSysctlName, number>;

export const SYSCTL_PRESETS = ["netbsd", "freebsd"] as const;
export type SysctlPreset = (typeof SYSCTL_PRESETS)[number];

/** Writes that are actions, accepted at any allowed value (the host cache has nothing to flush). */
const ACTIONS: ReadonlySet<string> = new Set(["net.inet.tcp.hostcache.purgenow"]);

/** Checks a preset's name: `where` names the option in the message. */
export function validatePreset(p: unknown, where: string): SysctlPreset {
  if (!(SYSCTL_PRESETS as readonly unknown[]).includes(p)) {
    throw new SimError(
      `${where}: "${String(p)}" is not a preset; choose ${SYSCTL_PRESETS.join(" or ")}`,
    );
  }
  return p as SysctlPreset;
}

/** A kernel's values: the preset's, with `overrides` checked and applied. */
export function tcp_sysctl_init(
  preset: SysctlPreset,
  overrides: Readonly<Record<string, number>> | undefined,
  where: string,
): TcpSysctlValues {
  // built in one piece: an object given its 35 names one store at a time is
  // left in V8's dictionary mode, and tcp_input reads some on every segment
  const v = Object.fromEntries(
    Object.entries(TCP_SYSCTLS).map(([name, def]) => [name, def[preset][0]]),
  ) as TcpSysctlValues;
  if (overrides !== undefined) {
    if (typeof overrides !== "object" || overrides === null) {
      throw new SimError(
        `${where}: expected { "net.inet.tcp.NAME": value, ... }; got ${String(overrides)}`,
      );
    }
    for (const [name, value] of Object.entries(overrides)) {
      sysctl_write(v, preset, name, value, `${where}.${name}`);
    }
  }
  return v;
}

/**
 * sysctl -w: checks the name and the value and sets it; the message names
 * the fix. A value the model does not vary may only be set to the preset's.
 */
export function sysctl_write(
  v: TcpSysctlValues,
  preset: SysctlPreset,
  name: string,
  value: unknown,
  where: string,
): void {
  const def = (TCP_SYSCTLS as Record<string, SysctlDef>)[name];
  if (def === undefined) {
    throw new SimError(
      `${where}: no sysctl ${name} in the model; see the presets table in @smpnet/netinet's README`,
    );
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < def.min || value > def.max) {
    throw new SimError(
      `${where}: ${name} takes a whole number from ${def.min} to ${def.max}; got ${String(value)}`,
    );
  }
  if (!def.modelled && !ACTIONS.has(name) && value !== def[preset][0]) {
    throw new SimError(
      `${where}: ${name} = ${value} is not modelled (${def.doc}); only ${def[preset][0]} is`,
    );
  }
  if (def.fixedUnder === preset && value !== def[preset][0]) {
    throw new SimError(
      `${where}: ${name} is ${def[preset][0]} under the ${preset} preset (${def[preset][1]}); set it under another preset`,
    );
  }
  v[name as TcpSysctlName] = value;
}
