/*
 * `iperf3 -c <host> ...` on an assembled kernel: the server (`iperf3 -s
 * -1`) as a user thread on the host the client names, the client as a user
 * thread on the other, each making iperf3's system calls; the run ends when
 * both have exited. What the client prints is the result; the server's
 * test is kept for the checks that compare both ends.
 */

import type { NetKernel, NetStack } from "@smpnet/netinet";
import { NS_PER_MS, NS_PER_SEC, PRI_USER, sleep } from "@smpnet/sim";
import { resolveHost } from "../hosts.js";
import { StreamContent } from "../payload.js";
import type { ToolOutput } from "../tool.js";
import { iperf_run_client } from "./client.js";
import { Iperf3Error } from "./errors.js";
import { Iperf3Exit, parseIperf3 } from "./options.js";
import { make_cookie } from "./protocol.js";
import { iperf_run_server } from "./server.js";
import { Endpoint } from "./session.js";
import type { DatagramStamps } from "./stream.js";
import { IperfTest } from "./test.js";

export interface Iperf3Run extends ToolOutput {
  client: IperfTest | null;
  server: IperfTest | null;
}

/** uname -a of a simulated host: the kernel the lab models and the machine it runs on. */
function systemInfo(stack: NetStack): string {
  return `NetBSD ${stack.host.name} 10.0 NetBSD 10.0 (GENERIC) ${stack.host.profile.name}`;
}

const PACE = Symbol("iperf3-start");

export interface Iperf3RunOptions {
  /** The port the server listens on (default: the client's -p), or false: no server at all. */
  server?: { port: number } | false;
}

/**
 * Runs iperf3's client with `argv` (its flags, without the program name)
 * against a server on the host it names.
 */
export function iperf3(
  k: NetKernel,
  argv: readonly string[],
  opts: Iperf3RunOptions = {},
): Iperf3Run {
  let o: ReturnType<typeof parseIperf3>;
  try {
    o = parseIperf3(argv);
  } catch (e) {
    if (e instanceof Iperf3Exit)
      return { stdout: e.stdout, stderr: e.stderr, status: e.status, client: null, server: null };
    throw e;
  }
  if (o.role === "s") {
    return {
      stdout: "",
      stderr:
        "iperf3: the lab runs the server itself, on the host the client names: give the client's flags (-c dut ...)\n",
      status: 1,
      client: null,
      server: null,
    };
  }
  // no test timer and no amount: iperf3 runs until interrupted, which a simulation cannot wait for
  if (o.duration === 0 && o.bytes === 0 && o.blocks === 0) {
    return {
      stdout: "",
      stderr:
        "iperf3: -t 0 (or a fraction, which iperf3 3.12 reads with atoi as 0) runs without end; give -t in whole seconds, or -n or -k\n",
      status: 1,
      client: null,
      server: null,
    };
  }
  const serverStack = resolveHost(k, o.host);
  if (serverStack === null) {
    const stderr = `iperf3: error - unable to connect to server: Name or service not known (the hosts are dut and peer)\n`;
    return { stdout: "", stderr, status: 1, client: null, server: null };
  }
  const clientStack = serverStack === k.dut ? k.peer : k.dut;
  const content = new StreamContent();
  const stamps: DatagramStamps = new Map();
  const cookie = make_cookie(k.sim.rng);
  const cEnv = new Endpoint(
    clientStack,
    serverStack.addr,
    o.host,
    cookie,
    content,
    stamps,
    systemInfo(clientStack),
  );
  const sEnv = new Endpoint(
    serverStack,
    serverStack.addr,
    o.host,
    "",
    content,
    stamps,
    systemInfo(serverStack),
  );
  const client = new IperfTest(o, "c", clientStack, (t) => cEnv.onInterval(t));
  const server = new IperfTest({ ...o, role: "s", json: false }, "s", serverStack, (t) =>
    sEnv.onInterval(t),
  );
  let clientError: string | null = null;
  let serverError: string | null = null;
  let finished = 0;
  const spawn = (stack: NetStack, name: string, body: () => Generator<unknown, void, unknown>) =>
    stack.host.kthread_create({
      name,
      pri: PRI_USER,
      user: true,
      cpu: stack.host.cpus.length - 1,
      *body() {
        try {
          yield* body();
        } catch (e) {
          if (!(e instanceof Iperf3Error)) throw e;
          if (name === "iperf3-c") clientError = e.message;
          else serverError = e.message;
        }
        finished++;
      },
    } as never);
  if (opts.server === false) finished++;
  else spawn(serverStack, "iperf3-s", () => iperf_run_server(server, sEnv) as never);
  spawn(clientStack, "iperf3-c", function* () {
    yield* sleep(PACE, NS_PER_MS); // the server is listening by then
    yield* iperf_run_client(client, cEnv);
  } as never);
  const limitNs = (o.duration + o.omit + 60) * NS_PER_SEC;
  while (finished < 2 && clientError === null && k.sim.now < limitNs) {
    k.sim.run(Math.min(limitNs, k.sim.now + 100 * NS_PER_MS));
  }
  if (clientError === null && finished < 2)
    clientError = "the test did not end (the simulated time ran out)";
  const text = client.out.length > 0 ? `${client.out.join("\n")}\n` : "";
  if (clientError !== null) {
    if (o.json)
      return {
        stdout: cEnv.printDocument(client, clientError),
        stderr: "",
        status: 1,
        client,
        server,
      };
    // what iperf3 -s said on the other host, when it could not serve: why the client failed
    const why =
      serverError === null ? "" : `(iperf3 -s on ${serverStack.host.name}: ${serverError})\n`;
    return {
      stdout: text,
      stderr: `iperf3: error - ${clientError}\n${why}`,
      status: 1,
      client,
      server,
    };
  }
  return {
    stdout: o.json ? cEnv.printDocument(client) : text,
    stderr: "",
    status: 0,
    client,
    server,
  };
}
