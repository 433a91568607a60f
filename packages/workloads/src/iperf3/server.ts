/*
 * The iperf3 server for one test (src/iperf_server_api.c iperf_run_server,
 * iperf_accept, iperf_handle_message_server; iperf_tcp.c iperf_tcp_accept;
 * iperf_udp.c iperf_udp_accept), as `iperf3 -s -1` runs it: listen, take
 * the control connection and the cookie, drive the client through the
 * states, accept the streams, run the test until TEST_END, exchange the
 * results and wait for IPERF_DONE.
 */

import {
  IPPROTO_TCP,
  SO_REUSEADDR,
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
  sys_sendto,
  sys_setsockopt,
  sys_socket,
  TCP_NODELAY,
  uio,
} from "@smpnet/netinet";
import type { KernelGen } from "@smpnet/sim";
import { congestion_used, set_stream_options } from "./client.js";
import { Iperf3Error } from "./errors.js";
import type { Iperf3Options } from "./options.js";
import {
  ControlChannel,
  CREATE_STREAMS,
  DISPLAY_RESULTS,
  EXCHANGE_RESULTS,
  PARAM_EXCHANGE,
  TEST_RUNNING,
  TEST_START,
  UDP_CONNECT_MSG,
  UDP_CONNECT_REPLY,
} from "./protocol.js";
import type { Endpoint } from "./session.js";
import { IperfStream } from "./stream.js";
import type { IperfTest, PeerResults } from "./test.js";

/** SOMAXCONN-free: iperf3 listens with a backlog of INT_MAX; the kernel clamps it. */
const BACKLOG = 128;

/** get_parameters: the client's settings, over the server's defaults. */
function apply_parameters(o: Iperf3Options, j: Record<string, unknown>): void {
  const num = (k: string) => (typeof j[k] === "number" ? (j[k] as number) : 0);
  o.udp = j.udp === true;
  o.omit = num("omit");
  o.duration = num("time");
  o.bytes = num("num");
  o.blocks = num("blockcount");
  o.mss = num("MSS");
  o.noDelay = j.nodelay === true;
  o.numStreams = num("parallel");
  o.reverse = j.reverse === true;
  o.bidirectional = j.bidirectional === true;
  o.socketBufsize = num("window");
  o.blksize = num("len");
  o.rate = num("bandwidth");
  o.congestion = typeof j.congestion === "string" ? j.congestion : "";
  o.getServerOutput = num("get_server_output") === 1;
}

/** netannounce: a socket with SO_REUSEADDR bound to the server's port (listening, for TCP). */
function* netannounce(t: IperfTest, env: Endpoint, type: number): KernelGen<socket> {
  const so = yield* sys_socket(env.stack, type);
  const re = yield* sys_setsockopt(so, SOL_SOCKET, SO_REUSEADDR, 1);
  const e = re !== 0 ? re : yield* sys_bind(so, 0, t.o.port);
  if (e !== 0) {
    throw new Iperf3Error(
      type === SOCK_STREAM
        ? "unable to start listener for connections"
        : "unable to start stream listener",
      e,
    );
  }
  if (type === SOCK_STREAM) yield* sys_listen(so, BACKLOG);
  return so;
}

/**
 * iperf_udp_accept: the client's first datagram on the UDP listener
 * (`prot_listener`) names it; the listener is connected to it and becomes
 * the stream's socket, and a new listener is bound to the same port
 * (SO_REUSEADDR lets it: the old one is connected now) before the reply
 * tells the client to go on. Returns the stream's socket and the new listener.
 */
function* iperf_udp_accept(
  t: IperfTest,
  env: Endpoint,
  listener: socket,
): KernelGen<[stream: socket, listener: socket]> {
  const u = new uio();
  u.uio_resid = 4;
  const re = yield* sys_recvfrom(listener, u);
  if (re !== 0 || u.data_id !== UDP_CONNECT_MSG)
    throw new Iperf3Error("unable to accept stream connection", re);
  const ce = yield* sys_connect(listener, u.addr, u.port);
  if (ce !== 0) throw new Iperf3Error("unable to accept stream connection", ce);
  yield* set_stream_options(t, listener); // iperf_udp_buffercheck
  const next = yield* netannounce(t, env, SOCK_DGRAM);
  Object.assign(u, { uio_resid: 4, data_id: UDP_CONNECT_REPLY });
  const we = yield* sys_sendto(listener, u);
  if (we !== 0) throw new Iperf3Error("unable to write to stream socket", we);
  return [listener, next];
}

/** iperf_tcp_accept: a stream's connection on the control listener, with the test's cookie. */
function* iperf_tcp_accept(t: IperfTest, env: Endpoint, ls: socket): KernelGen<socket> {
  const so = yield* sys_accept(ls);
  if (typeof so === "number") throw new Iperf3Error("unable to accept stream connection", so);
  const cookie = yield* new ControlChannel(so, env.content).readCookie();
  if (cookie !== env.cookie) throw new Iperf3Error("unable to receive cookie at server");
  yield* set_stream_options(t, so);
  yield* congestion_used(t, so);
  return so;
}

/** iperf_run_server for one test. */
export function* iperf_run_server(t: IperfTest, env: Endpoint): KernelGen {
  const ls = yield* netannounce(t, env, SOCK_STREAM);
  env.onListen(t);
  const so = yield* sys_accept(ls);
  if (typeof so === "number") throw new Iperf3Error("unable to accept connection from client", so);
  const ne = yield* sys_setsockopt(so, IPPROTO_TCP, TCP_NODELAY, 1); // as iperf_accept
  if (ne !== 0) throw new Iperf3Error("unable to set TCP/SCTP NODELAY", ne);
  const ctrl = new ControlChannel(so, env.content);
  t.ctrl = ctrl;
  env.cookie = (yield* ctrl.readCookie()) ?? "";
  env.onConnect(t);
  yield* ctrl.writeState(PARAM_EXCHANGE);
  const params = yield* ctrl.readJson();
  if (params === null) throw new Iperf3Error("unable to receive parameters from client");
  const o = t.o;
  apply_parameters(o, params as Record<string, unknown>);
  // iperf_exchange_parameters: UDP's listener is bound before the client may send
  let udpListener = o.udp ? yield* netannounce(t, env, SOCK_DGRAM) : null;
  yield* ctrl.writeState(CREATE_STREAMS);
  const n = o.bidirectional ? 2 * o.numStreams : o.numStreams;
  for (let i = 0; i < n; i++) {
    let so: socket;
    if (udpListener !== null) [so, udpListener] = yield* iperf_udp_accept(t, env, udpListener);
    else so = yield* iperf_tcp_accept(t, env, ls);
    // the server sends on the streams the client receives on
    const sender = o.bidirectional ? i >= o.numStreams : o.reverse;
    const s = new IperfStream(i + 1, 5 + i, so, sender, o.udp, o.blksize, env.stamps);
    t.streams.push(s);
    env.onStream(t, s);
  }
  // the last listener is not needed once every stream is there
  if (udpListener !== null) yield* sys_close(udpListener);
  yield* ctrl.writeState(TEST_START);
  env.onStart(t);
  yield* ctrl.writeState(TEST_RUNNING);
  yield* t.run();
  yield* ctrl.writeState(EXCHANGE_RESULTS);
  t.remote = (yield* ctrl.readJson()) as PeerResults | null;
  if (t.remote === null) throw new Iperf3Error("unable to receive results");
  yield* ctrl.writeJson({ ...t.results(), ...env.serverOutput(t) });
  yield* ctrl.writeState(DISPLAY_RESULTS);
  env.onResults(t);
  yield* ctrl.readState(); // IPERF_DONE, or the client closing
  for (const s of t.streams) yield* sys_close(s.so);
  yield* sys_close(so);
  yield* sys_close(ls);
}
