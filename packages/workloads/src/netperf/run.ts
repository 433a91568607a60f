/*
 * `netperf ...` on an assembled kernel: netserver as a user thread on the
 * host -H names (the system under test, `dut`, by default), netperf as a
 * user thread on the other; what netperf prints and its exit status.
 */

import type { NetKernel, NetStack } from "@smpnet/netinet";
import { NS_PER_MS, NS_PER_SEC, PRI_USER, sleep } from "@smpnet/sim";
import { dotted, resolveHost } from "../hosts.js";
import { StreamContent } from "../payload.js";
import type { ToolOutput } from "../tool.js";
import { NetperfExit, parseNetperf } from "./options.js";
import { netperfOutput } from "./output.js";
import {
  establish_control_failed,
  NetperfError,
  type NetperfResult,
  netperf_run,
  netserver,
} from "./tests.js";

export interface NetperfRunOptions {
  /** The control port netserver listens on (default: netperf's -p), or false: no netserver. */
  server?: { port: number } | false;
}

export interface NetperfRun extends ToolOutput {
  result: NetperfResult | null;
}

const PACE = Symbol("netperf-start");

/** Runs netperf with `argv` (its flags, without the program name). */
export function netperf(
  k: NetKernel,
  argv: readonly string[],
  opts: NetperfRunOptions = {},
): NetperfRun {
  let o: ReturnType<typeof parseNetperf>;
  try {
    o = parseNetperf(argv);
  } catch (e) {
    if (e instanceof NetperfExit)
      return { stdout: e.stdout, stderr: e.stderr, status: e.status, result: null };
    throw e;
  }
  const serverStack = resolveHost(k, o.host);
  if (serverStack === null) {
    return {
      stdout: `netperf: could not resolve the remote host ${o.host} (the hosts are dut and peer)\n`,
      stderr: "",
      status: 1,
      result: null,
    };
  }
  const clientStack: NetStack = serverStack === k.dut ? k.peer : k.dut;
  const content = new StreamContent();
  const addr = dotted(serverStack.addr);
  let result: NetperfResult | null = null;
  let failed: NetperfError | null = null;
  const serverOpts = { ...o, port: opts.server === false ? 0 : (opts.server?.port ?? o.port) };
  if (opts.server !== false) {
    serverStack.host.kthread_create({
      name: "netserver",
      pri: PRI_USER,
      user: true,
      cpu: serverStack.host.cpus.length - 1,
      *body() {
        yield* netserver(serverStack, serverOpts, content);
      },
    });
  }
  clientStack.host.kthread_create({
    name: "netperf",
    pri: PRI_USER,
    user: true,
    *body() {
      yield* sleep(PACE, NS_PER_MS); // netserver is listening by then
      try {
        result = yield* netperf_run(clientStack, serverStack.addr, o, content);
      } catch (e) {
        if (!(e instanceof NetperfError)) throw e;
        failed = e;
      }
    },
  });
  const limitNs = (Math.max(o.lengthS, 0) + 60) * NS_PER_SEC;
  while (result === null && failed === null && k.sim.now < limitNs) {
    k.sim.run(Math.min(limitNs, k.sim.now + 100 * NS_PER_MS));
  }
  if (result === null) {
    const e: NetperfError = failed ?? establish_control_failed(o);
    return { stdout: e.stdout, stderr: o.warnings + e.stderr, status: e.status, result: null };
  }
  return { stdout: netperfOutput(o, addr, result), stderr: o.warnings, status: 0, result };
}
