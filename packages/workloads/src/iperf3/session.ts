/*
 * What one end of a test shares with the run that made it: its host's
 * stack, the server's address, the cookie, the contents of the control
 * streams and the datagrams' send times, and the reporter's hooks
 * (iperf3's on_connect, on_new_stream, on_test_start, reporter_callback),
 * which collect the text lines or the JSON sections as iperf3 prints them.
 */

import type { NetStack } from "@smpnet/netinet";
import { dotted } from "../hosts.js";
import type { StreamContent } from "../payload.js";
import { cjsonPrint, endJson, intervalJson, type Json, startJson } from "./json.js";
import type { DatagramStamps, IperfStream } from "./stream.js";
import type { IperfTest } from "./test.js";
import { intervalLines, summaryLines } from "./text.js";

export class Endpoint {
  ctrlMss = 0;
  bufsizes = { snd: 0, rcv: 0 };
  readonly connected: Json[] = [];
  startNs = 0;
  private accepted: [string, number] = ["", 0];

  constructor(
    readonly stack: NetStack,
    readonly serverAddr: number,
    /** What the user typed after -c (the server's name, as iperf3 echoes it). */
    readonly serverName: string,
    public cookie: string,
    readonly content: StreamContent,
    readonly stamps: DatagramStamps,
    readonly systemInfo: string,
  ) {}

  private print(t: IperfTest, ...lines: string[]): void {
    if (!t.o.json) t.out.push(...lines);
  }

  onListen(t: IperfTest): void {
    const rule = "-----------------------------------------------------------";
    this.print(t, rule, `Server listening on ${t.o.port} (test #1)`, rule);
  }

  onConnect(t: IperfTest): void {
    const inp = t.ctrl!.so.so_pcb!;
    this.startNs = t.now;
    if (t.role === "c") {
      this.print(t, `Connecting to host ${this.serverName}, port ${t.o.port}`);
      if (t.o.reverse) this.print(t, `Reverse mode, remote host ${this.serverName} is sending`);
    } else {
      this.accepted = [dotted(inp.inp_faddr), inp.inp_fport];
      this.print(t, `Accepted connection from ${this.accepted[0]}, port ${this.accepted[1]}`);
    }
  }

  onStream(t: IperfTest, s: IperfStream): void {
    const inp = s.so.so_pcb!;
    const local = dotted(this.stack.addr);
    const remote = dotted(inp.inp_faddr);
    this.connected.push({
      socket: s.socket,
      local_host: local,
      local_port: inp.inp_lport,
      remote_host: remote,
      remote_port: inp.inp_fport,
    });
    this.print(
      t,
      `[${String(s.socket).padStart(3)}] local ${local} port ${inp.inp_lport} connected to ${remote} port ${inp.inp_fport}`,
    );
  }

  onStart(_t: IperfTest): void {}

  onInterval(t: IperfTest): void {
    if (t.o.json) t.jsonIntervals.push(intervalJson(t));
    else t.out.push(...intervalLines(t));
  }

  onResults(t: IperfTest): void {
    if (t.o.json) return;
    t.out.push(...summaryLines(t));
    const server = t.remote?.server_output_text;
    if (t.role === "c" && typeof server === "string")
      t.out.push("", "Server output:", server.replace(/\n$/, ""));
    if (t.role === "c") t.out.push("", "iperf Done.");
  }

  /** With --get-server-output, what the server printed goes with its results. */
  serverOutput(t: IperfTest): { server_output_text?: string; server_output_json?: unknown } {
    if (!t.o.getServerOutput) return {};
    if (t.o.json) return { server_output_json: JSON.parse(JSON.stringify(this.document(t))) };
    return { server_output_text: `${t.out.join("\n")}\n` };
  }

  /** The whole -J document. */
  document(t: IperfTest, error?: string): { [k: string]: Json } {
    const start: { [k: string]: Json } =
      error === undefined || this.connected.length > 0
        ? startJson(t, {
            connected: this.connected,
            systemInfo: this.systemInfo,
            timeNs: this.startNs,
            host: this.serverName,
            port: t.o.port,
            cookie: this.cookie,
            mss: this.ctrlMss,
            sndbuf: this.bufsizes.snd,
            rcvbuf: this.bufsizes.rcv,
          })
        : { connected: [], version: "iperf 3.12", system_info: this.systemInfo };
    if (t.role === "s" && start.connecting_to !== undefined) {
      delete start.connecting_to;
      start.accepted_connection = { host: this.accepted[0], port: this.accepted[1] };
    }
    const doc: { [k: string]: Json } = {
      start,
      intervals: t.jsonIntervals as Json[],
      end: error === undefined ? endJson(t) : {},
    };
    if (error !== undefined) doc.error = error;
    const server = t.remote?.server_output_json;
    if (t.role === "c" && server !== undefined) doc.server_output_json = server as Json;
    return doc;
  }

  printDocument(t: IperfTest, error?: string): string {
    return `${cjsonPrint(this.document(t, error))}\n`;
  }
}
