/*
 * Runs a parsed packetdrill script against the system under test of a
 * kernel the caller assembles (the factory): the script's system calls are
 * made by user threads on that host, its < packets are put on the wire to
 * the host's NIC at their script times, and every packet the host sends is
 * taken off the wire and compared, field by field, with the next > line
 * (packetdrill reads the host's output only when a > line is due: a packet
 * the host sends is checked against that line, and packets sent after the
 * last line are not checked). The first mismatch fails the script with its
 * line; a construct the model lacks makes it `unsupported` at its line.
 *
 * The remote end is the script: it has address PEER_ADDR and port 8080
 * (REMOTE_PORT); the host's listeners bind LOCAL_PORT. Sequence numbers of
 * > packets and ack fields of < packets are relative to the host's ISN (0
 * until it sends a SYN), as packetdrill writes them.
 */

import { type KernelGen, NS_PER_MS, PRI_USER } from "@smpnet/sim";
import { IP_HDR_LEN, IPDEFTTL, IPPROTO_TCP, TCP_HDR_LEN } from "../constants.js";
import { DUT_ADDR, type NetKernel, PEER_ADDR } from "../kernel.js";
import { PacketHeader } from "../packet.js";
import type { sockoptval } from "../protosw.js";
import * as sv from "../socketvar.js";
import type { NetStack } from "../stack.js";
import {
  F_GETFL,
  F_SETFL,
  O_NONBLOCK,
  O_RDWR,
  sys_accept,
  sys_bind,
  sys_close,
  sys_connect,
  sys_fcntl,
  sys_getsockopt,
  sys_listen,
  sys_recvfrom,
  sys_sendto,
  sys_setsockopt,
  sys_shutdown,
  sys_socket,
} from "../sys_socket.js";
import { TCPS_TIME_WAIT, TH_ACK, TH_SYN } from "../tcp_fsm.js";
import { type SysctlPreset, sysctl_write } from "../tcp_sysctl.js";
import {
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINIT,
  TCP_KEEPINTVL,
  TCP_NODELAY,
  TCP_NOOPT,
} from "../tcp_var.js";
import { type Frame, Link } from "../wire.js";
import { matchPacket } from "./match.js";
import type { Expr, PacketAction, Script, ScriptEvent, SyscallAction } from "./parse.js";

export const LOCAL_PORT = 8080;
export const REMOTE_PORT = 8080;

/** What a kernel factory is given: the interface MTU and the TCP defaults. */
export interface PacketdrillHost {
  mtu: number;
  defaults: SysctlPreset;
}
export type KernelFactory = (o: PacketdrillHost) => NetKernel;

export type ScriptResult = "pass" | "fail" | "unsupported";
export interface ScriptOutcome {
  result: ScriptResult;
  /** The line of the failing or unsupported event (0 for a pass). */
  line: number;
  message: string;
}

/** A script's end: its outcome, thrown from anywhere in the run. */
class Stop extends Error {
  constructor(readonly outcome: ScriptOutcome) {
    super(outcome.message);
  }
}
const fail = (line: number, message: string) => new Stop({ result: "fail", line, message });
const unsupported = (line: number, message: string) =>
  new Stop({ result: "unsupported", line, message });

/** Symbolic names the scripts use (FreeBSD's headers). */
const NAMES: Readonly<Record<string, number>> = {
  SOCK_STREAM: sv.SOCK_STREAM,
  IPPROTO_TCP,
  SOL_SOCKET: sv.SOL_SOCKET,
  SO_REUSEADDR: sv.SO_REUSEADDR,
  SO_RCVBUF: sv.SO_RCVBUF,
  SO_SNDBUF: sv.SO_SNDBUF,
  SO_ERROR: sv.SO_ERROR,
  SO_KEEPALIVE: sv.SO_KEEPALIVE,
  // the scripts' names (FreeBSD's TCP_KEEPINIT is 128) to the model's constants (NetBSD's)
  TCP_NODELAY,
  TCP_NOOPT,
  TCP_KEEPINIT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_KEEPCNT,
  F_GETFL,
  F_SETFL,
  O_RDWR,
  O_NONBLOCK,
  SHUT_WR: 1,
  MSG_PEEK: sv.MSG_PEEK,
};
/** errno names (sys/errno.h). */
const ERRNOS: Readonly<Record<string, number>> = {
  EINPROGRESS: sv.EINPROGRESS,
  ETIMEDOUT: sv.ETIMEDOUT,
  ECONNREFUSED: sv.ECONNREFUSED,
  ECONNRESET: sv.ECONNRESET,
  EADDRINUSE: sv.EADDRINUSE,
  EWOULDBLOCK: sv.EWOULDBLOCK,
  EAGAIN: sv.EWOULDBLOCK,
  EINVAL: sv.EINVAL,
  ENOTCONN: sv.ENOTCONN,
  EPIPE: sv.EPIPE,
  ENOPROTOOPT: sv.ENOPROTOOPT,
};
const errnoName = (e: number) => Object.keys(ERRNOS).find((k) => ERRNOS[k] === e) ?? `errno ${e}`;

/** A packet the host put on the wire, and when its last bit arrived at the script's end. */
interface Sent {
  h: PacketHeader;
  ns: number;
}

/** A system call under way: its result once it returns. */
interface Call {
  ev: ScriptEvent;
  done: boolean;
  returnedNs: number;
  /** -1 with errno, or the value. */
  ret: number;
  errno: number;
  /** What a pointer argument read back (getsockopt). */
  out: number | null;
  /** When the script expects it back (a `...` call), else null. */
  dueNs: number | null;
}

const POLL_NS = NS_PER_MS;

class Runner {
  readonly k: NetKernel;
  readonly stack: NetStack;
  readonly sent: Sent[] = [];
  readonly fds = new Map<number, sv.socket>();
  nextFd = 3;
  /** The host's ISN once it sent a SYN (its > sequence numbers count from it). */
  iss = 0;
  /** A SYN came from the script after the host's ISN was known: the host's next SYN starts a new one. */
  newConnection = false;
  /** The port < packets go to: the script's socket's. */
  localPort = LOCAL_PORT;
  blocked: Call | null = null;

  constructor(
    readonly script: Script,
    factory: KernelFactory,
    readonly defaults: SysctlPreset,
  ) {
    this.k = factory({ mtu: script.mtu, defaults });
    this.stack = this.k.dut;
    // the script is the far end: the host's frames end here
    const sink = {
      frameArrived: (f: Frame) => {
        const h = new PacketHeader();
        h.copyHeader(f);
        f.link!.release(f);
        this.sent.push({ h, ns: this.k.sim.now });
      },
    };
    this.stack.ifp.link = new Link(this.k.sim, this.k.toPeer.cfg, sink, this.k.sim.rng);
  }

  get now(): number {
    return this.k.sim.now;
  }

  /** Runs the machine to `ns` (never backwards). */
  runTo(ns: number): void {
    if (ns > this.now) this.k.sim.run(ns);
  }

  /** Runs until `done` or `limitNs`, a millisecond at a time; true if done. */
  runUntil(done: () => boolean, limitNs: number): boolean {
    while (!done()) {
      if (this.now >= limitNs) return false;
      this.runTo(Math.min(limitNs, this.now + POLL_NS));
    }
    return true;
  }

  run(): ScriptOutcome {
    const tol = this.script.toleranceNs;
    let prev = 0;
    for (const ev of this.script.events) {
      const t = ev.time;
      const at =
        t.kind === "abs" || (t.kind === "range" && !t.relative)
          ? t.ns
          : t.kind === "any"
            ? this.now
            : prev + t.ns;
      if (this.blocked !== null && this.blocked.dueNs! <= at) this.finishBlocked(tol);
      if (ev.action.type === "unsupported")
        throw unsupported(ev.line, `${ev.action.what} is not modelled`);
      if (ev.action.type === "packet" && ev.action.dir === ">") {
        prev = this.expect(ev, ev.action, t.kind === "any" ? null : at, tol);
        continue;
      }
      this.runTo(at);
      prev = at;
      if (ev.action.type === "packet") this.inject(ev.action);
      else if (ev.action.type === "shell") this.shell(ev, ev.action.command);
      else this.syscall(ev, ev.action, t.kind === "range" ? t.endNs : null, tol);
    }
    if (this.blocked !== null) this.finishBlocked(tol);
    return { result: "pass", line: 0, message: "" };
  }

  /** A > line: the next packet the host sent, within the tolerance of `at` (null: any time). */
  expect(ev: ScriptEvent, p: PacketAction, at: number | null, tol: number): number {
    const limit = at === null ? this.now + 600 * 1e9 : at + tol;
    if (!this.runUntil(() => this.sent.length > 0, limit)) {
      throw fail(ev.line, `expected ${describe(p)} at ${secs(at ?? this.now)}; nothing was sent`);
    }
    const s = this.sent.shift()!;
    if (at !== null && Math.abs(s.ns - at) > tol) {
      throw fail(
        ev.line,
        `${describe(p)} was sent at ${secs(s.ns)}, expected at ${secs(at)} (tolerance ${tol / 1e6} ms)`,
      );
    }
    if (p.flags & 0x02 && (this.iss === 0 || this.newConnection)) this.iss = s.h.th_seq;
    if (p.flags & 0x02) this.newConnection = false;
    // later < packets go to the port the host sends from (an anonymous one after connect)
    this.localPort = s.h.sport;
    const wrong = matchPacket(p, s.h, this.iss, this.defaults);
    if (wrong !== null) throw fail(ev.line, `expected ${describe(p)}; sent ${wrong}`);
    return at ?? s.ns;
  }

  /** A < line onto the wire to the host. */
  inject(p: PacketAction): void {
    if ((p.flags & (TH_SYN | TH_ACK)) === TH_SYN && this.iss !== 0) this.newConnection = true;
    const link = this.k.toDut;
    const f = link.frame();
    f.clearHeader();
    let optlen = 0;
    if (Array.isArray(p.options)) {
      for (const o of p.options) {
        optlen +=
          o.kind === "sack"
            ? 2 + 4 * o.blocks!.length
            : { mss: 4, wscale: 3, sackOK: 2, TS: 10, nop: 1, eol: 1 }[o.kind];
        if (o.kind === "mss") f.th_mss = o.value!;
        // the peer's SACK blocks name the host's sequence space, relative to its ISN as acks do
        else if (o.kind === "sack") f.th_sack = o.blocks!.map((b) => (b + this.iss) >>> 0);
        else if (o.kind === "wscale") f.th_wscale = o.value!;
        else if (o.kind === "sackOK") f.th_sackperm = true;
        else if (o.kind === "TS") {
          f.th_ts = true;
          f.th_tsval = o.value!;
          f.th_tsecr = o.ecr!;
        }
      }
    }
    f.th_off = TCP_HDR_LEN + Math.ceil(optlen / 4) * 4;
    f.len = f.ip_len = IP_HDR_LEN + f.th_off + p.len;
    f.ip_hl = IP_HDR_LEN;
    f.ip_ttl = IPDEFTTL;
    f.ip_p = IPPROTO_TCP;
    f.ip_src = PEER_ADDR;
    f.ip_dst = DUT_ADDR;
    f.sport = REMOTE_PORT;
    f.dport = this.localPort;
    f.id = this.stack.nextPacketId();
    f.data_len = p.len;
    f.th_flags = p.flags;
    f.th_seq = p.start >>> 0;
    f.th_ack = p.ack === null ? 0 : (p.ack + this.iss) >>> 0;
    f.th_win = p.win ?? 0;
    link.transmit(f);
  }

  shell(ev: ScriptEvent, cmd: string): void {
    const set = /^sysctl -w ([a-z0-9_.]+)=(-?\d+)$/.exec(cmd);
    if (set) {
      try {
        sysctl_write(this.stack.sysctl, this.defaults, set[1]!, Number(set[2]), "sysctl -w");
      } catch (e) {
        throw unsupported(ev.line, (e as Error).message);
      }
      return;
    }
    const timeWait = /^sockstat .*\| grep -c TIME_WAIT \| grep (\d+)$/.exec(cmd);
    if (timeWait) {
      let n = 0;
      for (const chain of this.stack.tcbtable.byConnect) {
        for (const inp of chain) if (inp.inp_ppcb?.t_state === TCPS_TIME_WAIT) n++;
      }
      if (n !== Number(timeWait[1])) {
        throw fail(ev.line, `${n} connections in TIME_WAIT, expected ${timeWait[1]}`);
      }
      return;
    }
    throw unsupported(ev.line, `shell command \`${cmd}\` is not modelled`);
  }

  /** A system call: made by a user thread at its time; checked when it returns. */
  syscall(ev: ScriptEvent, a: SyscallAction, endNs: number | null, tol: number): void {
    if (this.blocked !== null)
      throw unsupported(ev.line, "a second call while one blocks is not modelled");
    const body = this.callBody(ev, a);
    const call: Call = {
      ev,
      done: false,
      returnedNs: 0,
      ret: 0,
      errno: 0,
      out: null,
      dueNs: endNs,
    };
    const runner = this;
    this.stack.host.kthread_create({
      name: `packetdrill.${a.name}`,
      pri: PRI_USER,
      user: true,
      *body() {
        const [ret, errno, out] = yield* body;
        call.ret = ret;
        call.errno = errno;
        call.out = out;
        call.returnedNs = runner.now;
        call.done = true;
      },
    });
    if (endNs !== null) {
      this.blocked = call;
      return;
    }
    if (!this.runUntil(() => call.done, this.now + tol)) {
      throw fail(ev.line, `${a.name} did not return within ${tol / 1e6} ms`);
    }
    this.check(call);
  }

  finishBlocked(tol: number): void {
    const call = this.blocked!;
    this.blocked = null;
    const due = call.dueNs!;
    if (!this.runUntil(() => call.done, due + tol)) {
      throw fail(
        call.ev.line,
        `${(call.ev.action as SyscallAction).name} had not returned at ${secs(due)} (± ${tol / 1e6} ms)`,
      );
    }
    if (Math.abs(call.returnedNs - due) > tol) {
      throw fail(
        call.ev.line,
        `returned at ${secs(call.returnedNs)}, expected at ${secs(due)} (± ${tol / 1e6} ms)`,
      );
    }
    this.check(call);
  }

  check(call: Call): void {
    const a = call.ev.action as SyscallAction;
    const line = call.ev.line;
    const want = a.errno === null ? `${a.result}` : `${a.result} ${a.errno}`;
    const got = call.ret === -1 ? `-1 ${errnoName(call.errno)}` : `${call.ret}`;
    if (a.errno !== null && ERRNOS[a.errno] === undefined)
      throw unsupported(line, `errno ${a.errno} is not modelled`);
    if (a.name === "setsockopt" && call.errno === sv.ENOPROTOOPT && a.result === 0) {
      // the kernel says it has no such option
      throw unsupported(line, `socket option ${exprText(a.args[2])} is not modelled (ENOPROTOOPT)`);
    }
    if (got !== want) throw fail(line, `${a.name} returned ${got}, expected ${want}`);
    const ptr = a.name === "getsockopt" ? a.args[3] : undefined;
    if (ptr?.t === "ptr" && call.out !== null) {
      const v = this.value(ptr.v, line);
      if (v !== call.out) {
        const show = (x: number) =>
          a.args[2]?.t === "name" && a.args[2].v === "SO_ERROR" ? errnoName(x) : `${x}`;
        throw fail(
          line,
          `getsockopt gave ${call.out === 0 ? 0 : show(call.out)}, expected ${v === 0 ? 0 : show(v)}`,
        );
      }
    }
  }

  value(e: Expr | undefined, line: number): number {
    if (e === undefined) throw fail(line, "an argument is missing");
    switch (e.t) {
      case "num":
        return e.v;
      case "name": {
        const v = NAMES[e.v] ?? ERRNOS[e.v];
        if (v === undefined) throw unsupported(line, `${e.v} is not modelled`);
        return v;
      }
      case "or":
        return e.parts.reduce((acc, p) => acc | this.value(p, line), 0);
      case "ptr":
        return this.value(e.v, line);
      case "elided":
        throw unsupported(line, "`...` where the model needs a value");
    }
  }

  fd(e: Expr | undefined, line: number): sv.socket {
    const so = this.fds.get(this.value(e, line));
    if (so === undefined) throw fail(line, `no socket on descriptor ${this.value(e, line)}`);
    return so;
  }

  /** The call's kernel work: [return value, errno, value read back]. */
  callBody(ev: ScriptEvent, a: SyscallAction): KernelGen<[number, number, number | null]> {
    const line = ev.line;
    const r = this;
    const arg = (i: number) => a.args[i];
    const errno = (e: number): [number, number, null] => (e === 0 ? [0, 0, null] : [-1, e, null]);
    switch (a.name) {
      case "socket": {
        if (
          this.value(arg(1), line) !== sv.SOCK_STREAM ||
          this.value(arg(2), line) !== IPPROTO_TCP
        ) {
          throw unsupported(line, "only SOCK_STREAM, IPPROTO_TCP sockets are modelled");
        }
        return (function* () {
          const so = yield* sys_socket(r.stack, sv.SOCK_STREAM);
          const fd = r.nextFd++;
          r.fds.set(fd, so);
          return [fd, 0, null] as [number, number, null];
        })();
      }
      case "fcntl": {
        const so = this.fd(arg(0), line);
        const cmd = this.value(arg(1), line);
        const v = a.args.length > 2 ? this.value(arg(2), line) : 0;
        return (function* () {
          const [e, flags] = yield* sys_fcntl(so, cmd, v);
          return e === 0
            ? ([cmd === F_GETFL ? flags : 0, 0, null] as [number, number, null])
            : errno(e);
        })();
      }
      case "setsockopt": {
        const so = this.fd(arg(0), line);
        const level = this.value(arg(1), line);
        const name = this.value(arg(2), line);
        const v = this.value(arg(3), line);
        return (function* () {
          return errno(yield* sys_setsockopt(so, level, name, v));
        })();
      }
      case "getsockopt": {
        const so = this.fd(arg(0), line);
        const level = this.value(arg(1), line);
        const name = this.value(arg(2), line);
        return (function* () {
          const out: { value: sockoptval } = { value: 0 };
          const e = yield* sys_getsockopt(so, level, name, out);
          if (e !== 0) return errno(e);
          return [0, 0, out.value as number] as [number, number, number];
        })();
      }
      case "bind": {
        const so = this.fd(arg(0), line);
        return (function* () {
          const e = yield* sys_bind(so, 0, LOCAL_PORT);
          if (e === 0) r.localPort = LOCAL_PORT;
          return errno(e);
        })();
      }
      case "listen": {
        const so = this.fd(arg(0), line);
        const backlog = this.value(arg(1), line);
        return (function* () {
          return errno(yield* sys_listen(so, backlog));
        })();
      }
      case "accept": {
        const so = this.fd(arg(0), line);
        return (function* () {
          const c = yield* sys_accept(so);
          if (typeof c === "number") return errno(c);
          const fd = r.nextFd++;
          r.fds.set(fd, c);
          return [fd, 0, null] as [number, number, null];
        })();
      }
      case "connect": {
        const so = this.fd(arg(0), line);
        return (function* () {
          const e = yield* sys_connect(so, PEER_ADDR, REMOTE_PORT);
          return errno(e);
        })();
      }
      case "shutdown": {
        const so = this.fd(arg(0), line);
        if (this.value(arg(1), line) !== NAMES.SHUT_WR)
          throw unsupported(line, "only shutdown(SHUT_WR) is modelled");
        return (function* () {
          return errno(yield* sys_shutdown(so));
        })();
      }
      case "write":
      case "send": {
        const so = this.fd(arg(0), line);
        const u = new sv.uio();
        const n = this.value(arg(2), line);
        u.uio_resid = n;
        return (function* () {
          const e = yield* sys_sendto(so, u);
          return e === 0 ? ([n - u.uio_resid, 0, null] as [number, number, null]) : errno(e);
        })();
      }
      case "recv":
      case "read": {
        const so = this.fd(arg(0), line);
        const u = new sv.uio();
        u.uio_resid = this.value(arg(2), line);
        u.flags = a.name === "recv" ? this.value(arg(3), line) : 0;
        return (function* () {
          const e = yield* sys_recvfrom(so, u);
          return e === 0 ? ([u.data_len, 0, null] as [number, number, null]) : errno(e);
        })();
      }
      case "close": {
        const fd = this.value(arg(0), line);
        const so = this.fd(arg(0), line);
        this.fds.delete(fd);
        return (function* () {
          yield* sys_close(so);
          return [0, 0, null] as [number, number, null];
        })();
      }
      default:
        throw unsupported(line, `system call ${a.name} is not modelled`);
    }
  }
}

function exprText(e: Expr | undefined): string {
  return e?.t === "name" ? e.v : e?.t === "num" ? `${e.v}` : "?";
}

function secs(ns: number): string {
  return `${(ns / 1e9).toFixed(3)} s`;
}

function describe(p: PacketAction): string {
  const f = ["F", "S", "R", "P", "."].filter((_, i) => p.flags & [1, 2, 4, 8, TH_ACK][i]!).join("");
  return `${f} ${p.start}:${p.end}(${p.len})${p.ack === null ? "" : ` ack ${p.ack}`}${p.win === null ? "" : ` win ${p.win}`}`;
}

/** Runs `script` on a kernel from `factory`, starting from the `defaults` preset. */
export function runScript(
  script: Script,
  factory: KernelFactory,
  defaults: SysctlPreset,
): ScriptOutcome {
  const r = new Runner(script, factory, defaults);
  try {
    return r.run();
  } catch (e) {
    if (e instanceof Stop) return e.outcome;
    throw e;
  }
}
