/*
 * A TCP experiment on an assembled kernel: a listener on the system under
 * test that reads everything and records the sequence ranges it read, a
 * connecting writer on the peer with a list of write sizes, both closing
 * when done; and the state changes of every connection, from the probes.
 */

import {
  DUT_ADDR,
  type Frame,
  type NetKernel,
  netProbes,
  SOCK_STREAM,
  type socket,
  type sockoptval,
  sys_accept,
  sys_bind,
  sys_close,
  sys_connect,
  sys_listen,
  sys_recvfrom,
  sys_sendto,
  sys_setsockopt,
  sys_shutdown,
  sys_socket,
  TH_SYN,
  type tcpcb,
  tcpstates,
  uio,
} from "@smpnet/netinet";
import {
  type KernelGen,
  NS_PER_MS,
  PRI_USER,
  roundNetCosts,
  roundNic,
  roundProfile,
  sleep,
} from "@smpnet/sim";
import type { SoftintVariant } from "@smpnet/softint";
import { type KernelOptions, kernel } from "../src/index.js";

export const TCP_PORT = 5001;

export interface TcpRunOptions {
  seed?: number;
  cpus?: number;
  variant?: SoftintVariant;
  policy?: KernelOptions["policy"];
  reclamation?: KernelOptions["reclamation"];
  /** Bytes of each write, in order. */
  writes: number[];
  /**
   * The reader's own writes back, made while it reads (both directions at once): each side
   * then shuts its sending half when its writes are done and closes when its reading is done too.
   */
  replyWrites?: number[];
  /** Simulated ms the writer waits after its last write before it closes. */
  closeAfterMs?: number;
  /** Runs in the writer's thread after that wait, before the close (a test's own system calls). */
  clientAfter?: (so: socket) => KernelGen;
  /** Simulated ms after accept before the reader starts reading. */
  readAfterMs?: number;
  /** Bytes each read asks for (default 65,536). */
  readSize?: number;
  wire?: KernelOptions["wire"];
  /** Simulated ms to run at most. */
  limitMs?: number;
  /** Simulated ms to run on after the reader's end of file (the close sequence). */
  afterMs?: number;
  /** Subscribed before the run: the kernel, for probes and settings of a test's own, and the run as it fills. */
  before?: (k: NetKernel, run: TcpRun) => void;
  /** The peer connects to this port instead (nobody listens there: ECONNREFUSED). */
  connectPort?: number;
  /** The sysctl preset of both hosts (default netbsd). */
  defaults?: KernelOptions["defaults"];
  /** Single sysctl values of the system under test (the reader) changed from the preset's. */
  sysctl?: KernelOptions["sysctl"];
  /** The system under test's CPUs are ideal too: the network alone. */
  ideal?: boolean;
  /** Operations may be carried out in place (default), or all go through the loop. */
  inPlace?: boolean;
  /** TCP's switches on both hosts, and on the peer alone (it overrides). */
  tcp?: KernelOptions["tcp"];
  peerTcp?: KernelOptions["tcp"];
  /** setsockopt(level, name, value) on the listener before listen, and on the writer before connect. */
  serverOpts?: [number, number, sockoptval][];
  clientOpts?: [number, number, sockoptval][];
}

export interface TcpRun {
  k: NetKernel;
  connectError: number;
  writeErrors: number[];
  /** [seq, len] pairs of every piece read, in order. */
  ranges: number[];
  bytesRead: number;
  /** The errno a read returned, if one did (0: none). */
  readError: number;
  /** The reader saw end of file. */
  eof: boolean;
  firstReadNs: number;
  lastReadNs: number;
  /** Per host ("dut", "peer"): each socket's state names, in order. */
  states: Map<string, string[]>;
  /** The peer's initial sequence number (from its SYN). */
  iss: number;
  /** The reply stream (replyWrites): its pieces as the writer read them, end of file, its ISS. */
  replyRanges: number[];
  replyBytes: number;
  replyEof: boolean;
  replyIss: number;
  /** The sockets, once made. */
  server: socket | null;
  client: socket | null;
  /** The connections' control blocks, once established (kept after close). */
  serverTp: tcpcb | null;
  clientTp: tcpcb | null;
  /** What each setsockopt returned, server's then client's. */
  optErrors: number[];
}

export function tcpRun(o: TcpRunOptions): TcpRun {
  const k = kernel({
    seed: o.seed ?? 1,
    profile: roundProfile(4),
    nic: roundNic(),
    netCosts: roundNetCosts(),
    cpus: o.cpus ?? 4,
    softint: { variant: o.variant ?? "netbsd" },
    policy: o.policy ?? "giant",
    ...(o.reclamation === undefined ? {} : { reclamation: o.reclamation }),
    wire: o.wire ?? {},
    ...(o.defaults === undefined ? {} : { defaults: o.defaults }),
    ...(o.tcp === undefined ? {} : { tcp: o.tcp }),
    ...(o.sysctl === undefined ? {} : { sysctl: o.sysctl }),
    ...(o.ideal === undefined ? {} : { ideal: o.ideal }),
    ...(o.inPlace === undefined ? {} : { inPlace: o.inPlace }),
    ...(o.peerTcp === undefined ? {} : { peer: { tcp: o.peerTcp } }),
  });
  const run: TcpRun = {
    k,
    connectError: -1,
    writeErrors: [],
    ranges: [],
    bytesRead: 0,
    eof: false,
    readError: 0,
    firstReadNs: -1,
    lastReadNs: -1,
    states: new Map(),
    iss: -1,
    replyRanges: [],
    replyBytes: 0,
    replyEof: false,
    replyIss: -1,
    server: null,
    client: null,
    serverTp: null,
    clientTp: null,
    optErrors: [],
  };
  netProbes(k.sim).tcp_state.subscribe((_t, host, so, _from, to) => {
    const key = `${host.name}:so${so}`;
    const list = run.states.get(key) ?? [];
    list.push(tcpstates[to]!);
    run.states.set(key, list);
  });
  netProbes(k.sim).tcp_output.subscribe((_t, cpu, _id, seq, _ack, flags) => {
    if (cpu.host === k.peer.host && flags & TH_SYN && run.iss < 0) run.iss = seq;
    if (cpu.host === k.dut.host && flags & TH_SYN && run.replyIss < 0) run.replyIss = seq;
  });
  o.before?.(k, run);
  const cpus = k.dut.host.cpus.length;
  const replies = o.replyWrites;
  /** Both directions: the side's other half is done, or it closes now. */
  const lastCloses = (so: socket) => {
    let done = 0;
    return function* (): KernelGen {
      if (replies === undefined || ++done === 2) yield* sys_close(so);
    };
  };
  k.dut.host.kthread_create({
    name: "server",
    pri: PRI_USER,
    user: true,
    cpu: cpus - 1,
    *body() {
      const ls = yield* sys_socket(k.dut, SOCK_STREAM);
      for (const [level, name, value] of o.serverOpts ?? []) {
        run.optErrors.push(yield* sys_setsockopt(ls, level, name, value));
      }
      yield* sys_bind(ls, 0, TCP_PORT);
      yield* sys_listen(ls, 5);
      const so = yield* sys_accept(ls);
      if (typeof so === "number") return;
      run.server = so;
      run.serverTp = so.so_pcb?.inp_ppcb ?? null;
      const closeSo = lastCloses(so);
      if (replies !== undefined) {
        k.dut.host.kthread_create({
          name: "server-writer",
          pri: PRI_USER,
          user: true,
          cpu: 0,
          *body() {
            yield* writeAll(so, replies);
            yield* sys_shutdown(so);
            yield* closeSo();
          },
        });
      }
      if (o.readAfterMs) yield* sleep(PACE, o.readAfterMs * NS_PER_MS);
      const u = new uio();
      u.ranges = run.ranges;
      for (;;) {
        u.uio_resid = o.readSize ?? 65_536;
        const e = yield* sys_recvfrom(so, u);
        if (e !== 0) {
          run.readError = e;
          break;
        }
        if (u.data_len === 0) {
          run.eof = true;
          break;
        }
        if (run.firstReadNs < 0) run.firstReadNs = k.sim.now;
        run.lastReadNs = k.sim.now;
        run.bytesRead += u.data_len;
      }
      yield* closeSo();
      yield* sys_close(ls);
    },
  });
  k.peer.host.kthread_create({
    name: "client",
    pri: PRI_USER,
    user: true,
    *body() {
      const so = yield* sys_socket(k.peer, SOCK_STREAM);
      run.client = so;
      for (const [level, name, value] of o.clientOpts ?? []) {
        run.optErrors.push(yield* sys_setsockopt(so, level, name, value));
      }
      yield* sleep(PACE, NS_PER_MS);
      run.connectError = yield* sys_connect(so, DUT_ADDR, o.connectPort ?? TCP_PORT);
      if (run.connectError !== 0) return;
      run.clientTp = so.so_pcb?.inp_ppcb ?? null;
      const closeSo = lastCloses(so);
      if (replies !== undefined) {
        k.peer.host.kthread_create({
          name: "client-reader",
          pri: PRI_USER,
          user: true,
          *body() {
            const u = new uio();
            u.ranges = run.replyRanges;
            for (;;) {
              u.uio_resid = o.readSize ?? 65_536;
              if ((yield* sys_recvfrom(so, u)) !== 0 || u.data_len === 0) break;
              run.replyBytes += u.data_len;
            }
            run.replyEof = u.data_len === 0;
            yield* closeSo();
          },
        });
      }
      run.writeErrors.push(...(yield* writeAll(so, o.writes)));
      if (o.closeAfterMs) yield* sleep(PACE, o.closeAfterMs * NS_PER_MS);
      if (o.clientAfter) yield* o.clientAfter(so);
      if (replies !== undefined) yield* sys_shutdown(so);
      yield* closeSo();
    },
  });
  // until the reader has seen end of file (and `afterMs` more), or the limit
  const limit = (o.limitMs ?? 1_000) * NS_PER_MS;
  const ended = () => run.eof && (replies === undefined || run.replyEof);
  while (!ended() && run.readError === 0 && k.sim.now < limit)
    k.sim.run(Math.min(limit, k.sim.now + 10 * NS_PER_MS));
  if (o.afterMs !== undefined) k.sim.run(k.sim.now + o.afterMs * NS_PER_MS);
  return run;
}

/** The reader's pieces must tile the stream from iss + 1, each byte once, in order. */
export function checkStream(ranges: number[], iss: number, total: number): string | null {
  let next = (iss + 1) >>> 0;
  let bytes = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    const seq = ranges[i]!;
    const len = ranges[i + 1]!;
    if (seq !== next) return `piece ${i / 2} starts at ${seq}, expected ${next}`;
    if (len <= 0) return `piece ${i / 2} is empty`;
    next = (next + len) >>> 0;
    bytes += len;
  }
  return bytes === total ? null : `read ${bytes} bytes of ${total}`;
}

const PACE = Symbol("pace");

/** Writes `sizes` in order; the errors the writes returned. */
function* writeAll(so: socket, sizes: number[]): KernelGen<number[]> {
  const errors: number[] = [];
  const u = new uio();
  for (const n of sizes) {
    u.uio_resid = n;
    const e = yield* sys_sendto(so, u);
    if (e !== 0) errors.push(e);
  }
  return errors;
}

/** Drops the data frames from the peer to the system under test for which `drop` says so. */
export function dropData(k: NetKernel, drop: (f: Frame, now: number) => boolean): void {
  const link = k.toDut;
  const sink = link.sink;
  (link as { sink: typeof sink }).sink = {
    frameArrived(f: Frame) {
      if (f.data_len > 0 && !(f.th_flags & TH_SYN) && drop(f, k.sim.now)) {
        link.release(f);
        return;
      }
      sink.frameArrived(f);
    },
  };
}
