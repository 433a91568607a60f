/*
 * The iperf3 client (src/iperf_client_api.c iperf_connect,
 * iperf_run_client, iperf_handle_message_client, iperf_create_streams;
 * iperf_tcp.c iperf_tcp_connect; iperf_udp.c iperf_udp_connect): connect
 * the control connection, send the cookie, answer the server's states,
 * run the test and display the results.
 */

import {
  IPPROTO_TCP,
  SO_RCVBUF,
  SO_SNDBUF,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  type socket,
  type sockoptval,
  sys_close,
  sys_connect,
  sys_getsockopt,
  sys_recvfrom,
  sys_sendto,
  sys_setsockopt,
  sys_socket,
  TCP_CONGESTION,
  TCP_NODELAY,
  uio,
} from "@smpnet/netinet";
import type { KernelGen } from "@smpnet/sim";
import { sys_getsockopt_bufsizes, sys_getsockopt_tcp_info } from "../tcp_info.js";
import { Iperf3Error } from "./errors.js";
import {
  ACCESS_DENIED,
  ControlChannel,
  CREATE_STREAMS,
  DISPLAY_RESULTS,
  EXCHANGE_RESULTS,
  IPERF_DONE,
  PARAM_EXCHANGE,
  SERVER_ERROR,
  TEST_END,
  TEST_RUNNING,
  TEST_START,
  UDP_CONNECT_MSG,
  UDP_CONNECT_REPLY,
} from "./protocol.js";
import type { Endpoint } from "./session.js";
import { IperfStream } from "./stream.js";
import type { IperfTest, PeerResults } from "./test.js";

/** TCP_MAXSEG (netinet/tcp.h). */
const TCP_MAXSEG = 2;

/** Socket options both ends set on a data socket (iperf_tcp_connect, iperf_tcp_listen). */
export function* set_stream_options(t: IperfTest, so: socket): KernelGen {
  const o = t.o;
  if (o.socketBufsize > 0) {
    for (const name of [SO_SNDBUF, SO_RCVBUF]) {
      const e = yield* sys_setsockopt(so, SOL_SOCKET, name, o.socketBufsize);
      if (e !== 0) throw new Iperf3Error("unable to set socket buffer size", e);
    }
  }
  if (o.udp) return;
  if (o.mss > 0) {
    const e = yield* sys_setsockopt(so, IPPROTO_TCP, TCP_MAXSEG, o.mss);
    if (e !== 0) throw new Iperf3Error("unable to set TCP/SCTP MSS", e);
  }
  if (o.congestion !== "") {
    const e = yield* sys_setsockopt(so, IPPROTO_TCP, TCP_CONGESTION, o.congestion);
    if (e !== 0) {
      throw new Iperf3Error(
        "unable to set TCP_CONGESTION: Supplied congestion control algorithm not supported on this host",
      );
    }
  }
  if (o.noDelay) {
    const e = yield* sys_setsockopt(so, IPPROTO_TCP, TCP_NODELAY, 1);
    if (e !== 0) throw new Iperf3Error("unable to set TCP/SCTP NODELAY", e);
  }
}

/** iperf_tcp_connect: the module the first data socket got, for the results. */
export function* congestion_used(t: IperfTest, so: socket): KernelGen {
  if (t.congestionUsed !== "") return;
  const out: { value: sockoptval } = { value: "" };
  if ((yield* sys_getsockopt(so, IPPROTO_TCP, TCP_CONGESTION, out)) === 0) {
    t.congestionUsed = String(out.value);
  }
}

function* connect_stream(
  t: IperfTest,
  env: Endpoint,
  sender: boolean,
  n: number,
): KernelGen<IperfStream> {
  const o = t.o;
  const so = yield* sys_socket(env.stack, o.udp ? SOCK_DGRAM : SOCK_STREAM);
  yield* set_stream_options(t, so);
  const e = yield* sys_connect(so, env.serverAddr, o.port);
  if (e !== 0) throw new Iperf3Error("unable to create a new stream", e);
  if (!o.udp) yield* congestion_used(t, so);
  if (o.udp) {
    const u = new uio();
    Object.assign(u, { uio_resid: 4, data_id: UDP_CONNECT_MSG });
    const we = yield* sys_sendto(so, u);
    if (we !== 0) throw new Iperf3Error("unable to write to stream socket", we);
    u.uio_resid = 4;
    const re = yield* sys_recvfrom(so, u);
    if (re !== 0 || u.data_id !== UDP_CONNECT_REPLY) {
      throw new Iperf3Error("unable to read from stream socket", re);
    }
  } else {
    const ch = new ControlChannel(so, env.content);
    const we = yield* ch.writeCookie(env.cookie);
    if (we !== 0) throw new Iperf3Error("unable to send cookie to server", we);
  }
  return new IperfStream(n + 1, 5 + 2 * n, so, sender, o.udp, o.blksize, env.stamps);
}

/** send_parameters: the test's settings as the client sends them. */
function parameters(t: IperfTest): Record<string, unknown> {
  const o = t.o;
  const j: Record<string, unknown> = o.udp ? { udp: true } : { tcp: true };
  j.omit = o.omit;
  j.time = o.duration;
  j.num = o.bytes;
  j.blockcount = o.blocks;
  if (o.mss) j.MSS = o.mss;
  if (o.noDelay) j.nodelay = true;
  j.parallel = o.numStreams;
  if (o.reverse) j.reverse = true;
  if (o.bidirectional) j.bidirectional = true;
  if (o.socketBufsize) j.window = o.socketBufsize;
  if (o.blksize) j.len = o.blksize;
  if (o.rate) j.bandwidth = o.rate;
  j.pacing_timer = 1000;
  if (o.congestion) j.congestion = o.congestion;
  if (o.getServerOutput) j.get_server_output = 1;
  j.client_version = "3.12";
  return j;
}

/** iperf_run_client: returns when the test is over (results displayed) or throws an Iperf3Error. */
export function* iperf_run_client(t: IperfTest, env: Endpoint): KernelGen {
  const o = t.o;
  const so = yield* sys_socket(env.stack, SOCK_STREAM);
  const e = yield* sys_connect(so, env.serverAddr, o.port);
  if (e !== 0) throw new Iperf3Error("unable to connect to server", e);
  // set TCP_NODELAY for lower latency on control messages (iperf_connect)
  const ne = yield* sys_setsockopt(so, IPPROTO_TCP, TCP_NODELAY, 1);
  if (ne !== 0) throw new Iperf3Error("unable to set TCP/SCTP NODELAY", ne);
  const ctrl = new ControlChannel(so, env.content);
  t.ctrl = ctrl;
  const ce = yield* ctrl.writeCookie(env.cookie);
  if (ce !== 0) throw new Iperf3Error("unable to send cookie to server", ce);
  const ti = yield* sys_getsockopt_tcp_info(so);
  env.ctrlMss = ti.tcpi_snd_mss;
  if (o.udp && o.blksize === 0) o.blksize = env.ctrlMss;
  env.onConnect(t);
  for (;;) {
    const state = t.streams.length > 0 ? yield* t.nextState() : yield* ctrl.readState();
    switch (state) {
      case PARAM_EXCHANGE:
        yield* ctrl.writeJson(parameters(t));
        break;
      case CREATE_STREAMS: {
        const n = o.bidirectional ? 2 * o.numStreams : o.numStreams;
        for (let i = 0; i < n; i++) {
          const sender = o.bidirectional ? i < o.numStreams : !o.reverse;
          const s = yield* connect_stream(t, env, sender, i);
          t.streams.push(s);
          env.onStream(t, s);
        }
        const b = yield* sys_getsockopt_bufsizes(t.streams[0]!.so);
        env.bufsizes = b;
        break;
      }
      case TEST_START:
        env.onStart(t);
        break;
      case TEST_RUNNING:
        yield* t.run();
        yield* ctrl.writeState(TEST_END);
        break;
      case EXCHANGE_RESULTS:
        yield* ctrl.writeJson(t.results());
        t.remote = (yield* ctrl.readJson()) as PeerResults | null;
        if (t.remote === null) throw new Iperf3Error("unable to receive results");
        break;
      case DISPLAY_RESULTS:
        env.onResults(t);
        yield* ctrl.writeState(IPERF_DONE);
        for (const s of t.streams) yield* sys_close(s.so);
        yield* sys_close(so);
        return;
      case ACCESS_DENIED:
        throw new Iperf3Error("test denied by server");
      case SERVER_ERROR:
        throw new Iperf3Error("the server has terminated");
      default:
        throw new Iperf3Error("control socket has closed unexpectedly");
    }
  }
}
