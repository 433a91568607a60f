/*
 * The JSON Schema (draft-07) of a run's result, version 1. The package also
 * ships it as schema/result-v1.json (a test keeps the two equal), so tools
 * outside TypeScript can check a result.
 */

const num = { type: "number" } as const;
const count = { type: "integer", minimum: 0 } as const;
const nonneg = { type: "number", minimum: 0 } as const;
const numberMap = { type: "object", additionalProperties: num } as const;

const histogram = {
  type: "object",
  required: ["count", "sumNs", "maxNs", "buckets"],
  additionalProperties: false,
  properties: {
    count,
    sumNs: nonneg,
    maxNs: nonneg,
    buckets: {
      type: "array",
      items: {
        type: "object",
        required: ["fromNs", "count"],
        additionalProperties: false,
        properties: { fromNs: nonneg, count },
      },
    },
  },
} as const;

const traceEvent = {
  type: "object",
  required: ["ph", "cat", "name", "pid"],
  properties: {
    ph: { type: "string", enum: ["X", "i", "C", "M", "s", "t", "f"] },
    cat: { type: "string" },
    name: { type: "string" },
    pid: count,
    tid: count,
    ts: nonneg,
    dur: nonneg,
    args: { type: "object" },
    id: count,
    s: { type: "string", enum: ["t", "p", "g"] },
    bp: { const: "e" },
  },
} as const;

export const RESULT_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://smpnet.invalid/schema/result-v1.json",
  title: "smpnet run result, version 1",
  type: "object",
  required: [
    "schema",
    "version",
    "kernel",
    "workload",
    "seed",
    "elapsedNs",
    "output",
    "cpus",
    "lockstat",
    "reclamation",
    "callouts",
    "watchdog",
    "integrity",
    "stats",
    "series",
    "folded",
    "trace",
    "hash",
  ],
  additionalProperties: false,
  properties: {
    schema: { const: "smpnet-result" },
    version: { const: 1 },
    kernel: {
      type: "object",
      required: ["name"],
      properties: { name: { type: "string" }, hash: { type: "string" } },
    },
    workload: {
      type: "object",
      required: ["name", "args"],
      additionalProperties: false,
      properties: {
        name: { type: "string" },
        args: { type: "array", items: { type: "string" } },
        hash: { type: "string" },
      },
    },
    seed: { type: "integer" },
    elapsedNs: nonneg,
    output: { type: "object" },
    cpus: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["host", "cpu", "split", "busyNs"],
        additionalProperties: false,
        properties: {
          host: { type: "string" },
          cpu: count,
          split: { type: "object", additionalProperties: nonneg },
          busyNs: nonneg,
        },
      },
    },
    lockstat: {
      type: "array",
      items: {
        type: "object",
        required: ["event", "lock", "caller", "count", "timeNs"],
        additionalProperties: false,
        properties: {
          event: { type: "string" },
          lock: { type: "string" },
          caller: { type: "string" },
          count,
          timeNs: nonneg,
        },
      },
    },
    reclamation: {
      type: "object",
      required: ["scheme", "gracePeriod", "maxPendingBytes"],
      properties: { scheme: { type: "string" }, gracePeriod: histogram, maxPendingBytes: nonneg },
    },
    callouts: {
      type: "object",
      required: ["fired", "lateness"],
      additionalProperties: false,
      properties: { fired: count, lateness: histogram },
    },
    watchdog: {
      type: "object",
      required: ["misses", "expiries"],
      additionalProperties: false,
      properties: {
        misses: count,
        expiries: {
          type: "array",
          items: {
            type: "object",
            required: ["tNs", "name", "sinceTickleNs"],
            additionalProperties: false,
            properties: { tNs: nonneg, name: { type: "string" }, sinceTickleNs: nonneg },
          },
        },
      },
    },
    integrity: { type: "object", required: ["ok"], properties: { ok: { type: "boolean" } } },
    stats: {
      type: "object",
      required: ["tcpstat", "udpstat", "ipstat"],
      additionalProperties: false,
      properties: { tcpstat: numberMap, udpstat: numberMap, ipstat: numberMap },
    },
    series: {
      type: "object",
      required: ["throughput", "counters"],
      additionalProperties: false,
      properties: {
        throughput: {
          type: "object",
          required: ["binNs", "bytes"],
          additionalProperties: false,
          properties: {
            binNs: { type: "number", exclusiveMinimum: 0 },
            bytes: { type: "array", items: nonneg },
          },
        },
        counters: {
          type: "object",
          additionalProperties: {
            type: "array",
            items: { type: "array", minItems: 2, maxItems: 2, items: num },
          },
        },
      },
    },
    folded: { type: "array", items: { type: "string", pattern: "^\\S+ \\d+$" } },
    trace: {
      type: "object",
      required: ["traceEvents", "metadata"],
      properties: {
        traceEvents: { type: "array", items: traceEvent },
        metadata: { type: "object" },
      },
    },
    hash: { type: "string", pattern: "^sha256:[0-9a-f]{64}$" },
  },
} as const;
