export { dotted, resolveHost } from "./hosts.js";
export { cjsonPrint } from "./iperf3/json.js";
export { type Iperf3Run, type Iperf3RunOptions, iperf3 } from "./iperf3/run.js";
export type { IntervalResult, IperfStream } from "./iperf3/stream.js";
export type { IperfTest, PeerResults } from "./iperf3/test.js";
export { type NetperfRun, type NetperfRunOptions, netperf } from "./netperf/run.js";
export type { NetperfResult } from "./netperf/tests.js";
export type { ToolOutput } from "./tool.js";
