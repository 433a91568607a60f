export { cjsonPrint } from "./iperf3/json.js";
export { type Iperf3Run, iperf3, type ToolOutput } from "./iperf3/run.js";
export type { IntervalResult, IperfStream } from "./iperf3/stream.js";
export type { IperfTest, PeerResults } from "./iperf3/test.js";
