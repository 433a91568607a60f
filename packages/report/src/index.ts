export { canonicalJson, resultHash } from "./canonical.js";
export { CONSUMED_PROBES, Collector, type CollectorOptions, type RunParts } from "./collect.js";
export { ReportError } from "./errors.js";
export { flameGraphSvg } from "./flamegraph.js";
export { foldedPerCpu } from "./folded.js";
export { htmlReport, PLOTS } from "./html.js";
export {
  formatLockstat,
  LOCKSTAT_EVENT_KINDS,
  LOCKSTAT_SECTIONS,
  LOCKSTAT_TYPES,
  type LockStatRow,
  type LockstatOptions,
} from "./lockstat.js";
export { reportFiles, writeReport } from "./outputs.js";
export { type CpuTime, type Histogram, RESULT_VERSION, type RunResult } from "./result.js";
export { RESULT_SCHEMA } from "./schema.js";
export type { TraceOptions } from "./trace.js";
export { type TraceEvent, type TraceFile, validateTrace } from "./trace-event.js";
export { validateResult } from "./validate.js";
