/*
 * netperf's tests and netserver's side of them, as netperf 2.7.1 runs the
 * classic tests on the omni path (src/nettest_omni.c send_omni_inner,
 * recv_omni; netlib.c establish_control, send_request, recv_response):
 * a control connection to netserver carries a fixed-size request (656
 * bytes: two ints and MAXSPECDATA 162 ints, netlib.h) naming the test and
 * its sizes; netserver opens a data socket and answers with its port and
 * socket sizes; the test runs for -l seconds; a last exchange brings back
 * netserver's counts. The request and response contents ride in
 * StreamContent as JSON, padded to the struct's size.
 *
 * A stream test ends as disconnect_data_socket ends it: a TCP sender
 * shuts its side and waits for netserver's close, a UDP sender sends
 * three empty datagrams; the elapsed time runs until then. TCP_CRR binds
 * each connection's socket to the next port of netperf's own range
 * (pick_next_port_number: 5000-65535 from a random start, or -- -p
 * min,max), not to an ephemeral port. A UDP send that meets ENOBUFS
 * counts as netperf counts it (failed_sends) and the test goes on; any
 * other send error ends netperf with its message and exit status 1.
 *
 * Left out: CPU measurement (-c, -C), confidence intervals (-i, -I),
 * bursts, histograms, demo mode; netperf's SIGALRM, which interrupts a
 * blocked call at the end of a timed test (here the test ends after the
 * transaction under way).
 */

import {
  EADDRINUSE,
  ENOBUFS,
  type NetStack,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  type socket,
  sys_accept,
  sys_bind,
  sys_close,
  sys_connect,
  sys_listen,
  sys_recvfrom,
  sys_select,
  sys_sendto,
  sys_setsockopt,
  sys_shutdown,
  sys_socket,
  uio,
} from "@smpnet/netinet";
import { type KernelGen, NS_PER_SEC, sleep } from "@smpnet/sim";
import { enobufs_pause } from "../enobufs.js";
import { asciiBytes, bytesAscii, type StreamContent, StreamIO } from "../payload.js";
import { strerror } from "../strerror.js";
import { sys_getsockopt_bufsizes } from "../tcp_info.js";
import type { NetperfOptions } from "./options.js";

/** sizeof(union netperf_request_struct) (netlib.h). */
const REQUEST_BYTES = 4 + 4 + 162 * 4;

function* send_request(io: StreamIO, body: object): KernelGen<number> {
  const text = asciiBytes(JSON.stringify(body));
  return yield* io.write([...text, ...new Array<number>(REQUEST_BYTES - text.length).fill(0)]);
}

function* recv_response(io: StreamIO): KernelGen<Record<string, number> | null> {
  const b = yield* io.read(REQUEST_BYTES);
  if (b === null) return null;
  const end = b.indexOf(0);
  return JSON.parse(bytesAscii(end < 0 ? b : b.slice(0, end)));
}

/** What netperf measured, and what netserver reported. */
export interface NetperfResult {
  lssSize: number;
  lsrSize: number;
  rssSize: number;
  rsrSize: number;
  sendSize: number;
  recvSize: number;
  elapsedS: number;
  bytesSent: number;
  bytesReceived: number;
  sendCalls: number;
  failedSends: number;
  transactions: number;
  remoteRecvCalls: number;
  remoteBytes: number;
}

/** What ends netperf early: what it printed, and its exit status. */
export class NetperfError extends Error {
  constructor(
    readonly stdout: string,
    readonly stderr: string,
    readonly status: number,
  ) {
    super(stdout.trim());
  }
}

/** establish_control's complaint when netserver cannot be reached. */
export function establish_control_failed(o: NetperfOptions): NetperfError {
  return new NetperfError(
    `establish control: are you sure there is a netserver listening on ${o.host} at port ${o.port}?\n` +
      `establish_control could not establish the control connection from 0.0.0.0 port 0 address family AF_UNSPEC to ${o.host} port ${o.port} address family AF_INET\n`,
    "",
    255,
  );
}

/** send_data's message for a send error other than ENOBUFS, then send_omni's perror and exit(1). */
function send_failed(errno: number): NetperfError {
  return new NetperfError(
    `send_data: data send error: ${strerror(errno)} (errno ${errno})\n`,
    `netperf: send_omni: send_data failed: ${strerror(errno)}\n`,
    1,
  );
}

/** Where netperf's client ports for connection tests come from (pick_next_port_number). */
class ClientPorts {
  private port: number;

  constructor(
    private readonly min: number,
    private readonly max: number,
    stack: NetStack,
  ) {
    // srand(getpid()) in netperf: here the run's seeded generator
    const span = max - min;
    this.port = (span > 0 ? min + stack.host.sim.rng.int(0, span - 1) : min) - 1;
  }

  next(serverPort: number): number {
    this.port++;
    if (this.port === serverPort) this.port++;
    if (this.port >= this.max) this.port = this.min;
    return this.port;
  }
}

/** The system calls of one retry after EADDRINUSE: close, socket, setsockopt, bind, connect. */
const RETRY_SYSCALLS = 5;
const RETRY = Symbol("netperf-eaddrinuse");

/**
 * What a turn of netperf's retry loop costs its host: on a real machine the
 * loop's system calls take time while the port's last connection waits for
 * its final ACK. An ideal host charges nothing for them, so there the loop
 * pauses for the traps it made, at the host's profile's clock.
 */
function* eaddrinuse_retry_cost(stack: NetStack): KernelGen {
  const host = stack.host;
  if (!host.ideal) return;
  yield* sleep(
    RETRY,
    Math.ceil((RETRY_SYSCALLS * stack.costs.syscallCycles) / host.profile.clockGHz),
  );
}

function* set_bufs(so: socket, size: number): KernelGen {
  if (size <= 0) return;
  yield* sys_setsockopt(so, SOL_SOCKET, SO_SNDBUF, size);
  yield* sys_setsockopt(so, SOL_SOCKET, SO_RCVBUF, size);
}

const stream = (o: NetperfOptions) => o.test.startsWith("TCP");

/** disconnect_data_socket on a connection: shut our side, read until the other side closes. */
function* disconnect_data_socket(so: socket, u: uio): KernelGen {
  yield* sys_shutdown(so);
  do u.uio_resid = 1;
  while ((yield* sys_recvfrom(so, u)) === 0 && u.data_len > 0);
}

/** netserver (src/netserver.c, recv_omni) for one test. */
export function* netserver(stack: NetStack, o: NetperfOptions, content: StreamContent): KernelGen {
  const ls = yield* sys_socket(stack, SOCK_STREAM);
  if ((yield* sys_bind(ls, 0, o.port)) !== 0) return;
  yield* sys_listen(ls, 128);
  const cso = yield* sys_accept(ls);
  if (typeof cso === "number") return;
  const ctrl = new StreamIO(cso, content);
  if ((yield* recv_response(ctrl)) === null) return;
  const tcp = stream(o);
  const dls = yield* sys_socket(stack, tcp ? SOCK_STREAM : SOCK_DGRAM);
  yield* set_bufs(dls, o.remoteBuf);
  yield* sys_bind(dls, 0, 0);
  if (tcp) yield* sys_listen(dls, 128);
  const sizes = yield* sys_getsockopt_bufsizes(dls);
  yield* send_request(ctrl, { port: dls.so_pcb!.inp_lport, rss: sizes.snd, rsr: sizes.rcv });
  const u = new uio();
  let bytes = 0;
  let calls = 0;
  const rr = o.test.endsWith("RR");
  const size = rr ? o.reqSize : o.recvSize || sizes.rcv;
  // the data socket of a one-connection test; TCP_CRR accepts one per transaction
  let so: socket = dls;
  if (tcp && o.test !== "TCP_CRR") {
    const a = yield* sys_accept(dls);
    if (typeof a === "number") return;
    so = a;
  }
  if (o.test === "TCP_MAERTS") {
    const endNs = stack.host.sim.now + o.lengthS * NS_PER_SEC;
    const n = o.sendSize || sizes.snd;
    while (o.lengthS < 0 ? bytes < -o.lengthS : stack.host.sim.now < endNs) {
      u.uio_resid = n;
      if ((yield* sys_sendto(so, u)) !== 0) break;
      bytes += n;
      calls++;
    }
    yield* disconnect_data_socket(so, u);
  } else {
    // until netperf asks for the results on the control connection
    const want = { read: [so, cso], write: [] as socket[] };
    for (;;) {
      const ready = yield* sys_select(stack, want, 0);
      if (ready.read.includes(cso)) break;
      let io = so;
      if (o.test === "TCP_CRR") {
        const a = yield* sys_accept(dls);
        if (typeof a === "number") break;
        io = a;
      }
      u.uio_resid = size;
      if ((yield* sys_recvfrom(io, u)) !== 0 || u.data_len === 0) {
        // the end of the stream, or one of netperf's empty datagrams: close_data_socket
        if (o.test !== "TCP_CRR") want.read = [cso];
        if (tcp) yield* sys_close(io);
        continue;
      }
      bytes += u.data_len;
      calls++;
      if (rr) {
        // a request may come in pieces; the response goes when it is whole
        let got = u.data_len;
        while (tcp && got < o.reqSize) {
          u.uio_resid = o.reqSize - got;
          if ((yield* sys_recvfrom(io, u)) !== 0 || u.data_len === 0) break;
          got += u.data_len;
        }
        u.uio_resid = o.rspSize;
        yield* sys_sendto(io, u);
      }
      if (o.test === "TCP_CRR") yield* sys_close(io);
    }
    if (so !== dls && want.read.includes(so)) yield* sys_close(so);
  }
  yield* recv_response(ctrl);
  yield* send_request(ctrl, { bytes, calls });
  yield* sys_close(dls);
  yield* sys_close(cso);
  yield* sys_close(ls);
}

/** The netperf side: establish_control, the test for -l seconds, the results. */
export function* netperf_run(
  stack: NetStack,
  serverAddr: number,
  o: NetperfOptions,
  content: StreamContent,
): KernelGen<NetperfResult> {
  const cso = yield* sys_socket(stack, SOCK_STREAM);
  if ((yield* sys_connect(cso, serverAddr, o.port)) !== 0) throw establish_control_failed(o);
  const ctrl = new StreamIO(cso, content);
  yield* send_request(ctrl, { test: o.test, length: o.lengthS });
  const rsp = yield* recv_response(ctrl);
  if (rsp === null) throw establish_control_failed(o);
  const tcp = stream(o);
  const sim = stack.host.sim;
  const ports = new ClientPorts(o.clientPortMin, o.clientPortMax, stack);
  // create_data_socket: SO_REUSEADDR, and a bind for UDP or a chosen port
  const newSocket = function* (port = 0) {
    const so = yield* sys_socket(stack, tcp ? SOCK_STREAM : SOCK_DGRAM);
    yield* set_bufs(so, o.localBuf);
    yield* sys_setsockopt(so, SOL_SOCKET, SO_REUSEADDR, 1);
    if (port !== 0 || !tcp) yield* sys_bind(so, 0, port);
    return so;
  };
  let so = yield* newSocket();
  const sizes = yield* sys_getsockopt_bufsizes(so);
  const r: NetperfResult = {
    lssSize: sizes.snd,
    lsrSize: sizes.rcv,
    rssSize: rsp.rss!,
    rsrSize: rsp.rsr!,
    sendSize: o.sendSize || sizes.snd,
    recvSize: o.recvSize || rsp.rsr!,
    elapsedS: 0,
    bytesSent: 0,
    bytesReceived: 0,
    sendCalls: 0,
    failedSends: 0,
    transactions: 0,
    remoteRecvCalls: 0,
    remoteBytes: 0,
  };
  const u = new uio();
  const start = sim.now;
  const end = start + o.lengthS * NS_PER_SEC;
  if (o.test !== "TCP_CRR") {
    if ((yield* sys_connect(so, serverAddr, rsp.port!)) !== 0) throw establish_control_failed(o);
  }
  const rr = o.test.endsWith("RR");
  // TCP_MAERTS reads until netserver, at the end of its -l seconds, shuts the stream
  const more = () =>
    o.lengthS > 0 ? sim.now < end : (rr ? r.transactions : r.bytesSent) < -o.lengthS;
  while (o.test === "TCP_MAERTS" || more()) {
    if (o.test === "TCP_MAERTS") {
      u.uio_resid = o.recvSize || sizes.rcv;
      if ((yield* sys_recvfrom(so, u)) !== 0 || u.data_len === 0) break;
      r.bytesReceived += u.data_len;
      continue;
    }
    if (o.test === "TCP_CRR") {
      // a port still in use is a transient error: another port (connect_data_socket)
      for (;;) {
        so = yield* newSocket(ports.next(rsp.port!));
        const ce = yield* sys_connect(so, serverAddr, rsp.port!);
        if (ce === 0) break;
        yield* sys_close(so);
        if (ce !== EADDRINUSE) {
          throw new NetperfError(
            "",
            `netperf: send_omni: connect_data_socket failed: ${strerror(ce)}\n`,
            1,
          );
        }
        // send_omni_inner picks a port here and again at `again:`, so a retry skips one
        ports.next(rsp.port!);
        yield* eaddrinuse_retry_cost(stack);
      }
    }
    u.uio_resid = rr ? o.reqSize : r.sendSize;
    const e = yield* sys_sendto(so, u);
    if (e === ENOBUFS && !tcp) {
      r.failedSends++;
      yield* enobufs_pause(stack, r.sendSize);
      continue;
    }
    if (e !== 0) throw send_failed(e);
    r.sendCalls++;
    r.bytesSent += rr ? o.reqSize : r.sendSize;
    if (rr) {
      let got = 0;
      while (got < o.rspSize) {
        u.uio_resid = o.rspSize - got;
        if ((yield* sys_recvfrom(so, u)) !== 0 || (tcp && u.data_len === 0)) break;
        got += u.data_len;
      }
      r.transactions++;
    }
    if (o.test === "TCP_CRR") {
      u.uio_resid = 1;
      yield* sys_recvfrom(so, u); // netserver's close
      yield* sys_close(so);
    }
  }
  if (tcp && o.test !== "TCP_CRR") yield* disconnect_data_socket(so, u);
  else if (!tcp) {
    for (let i = 0; i < 3; i++) {
      u.uio_resid = 0;
      yield* sys_sendto(so, u);
    }
  }
  r.elapsedS = (sim.now - start) / NS_PER_SEC;
  yield* send_request(ctrl, { done: 1 });
  const fin = yield* recv_response(ctrl);
  r.remoteBytes = fin?.bytes ?? 0;
  r.remoteRecvCalls = fin?.calls ?? 0;
  if (o.test !== "TCP_CRR") yield* sys_close(so);
  yield* sys_close(cso);
  return r;
}
