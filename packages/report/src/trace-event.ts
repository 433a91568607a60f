/*
 * The Trace Event Format (JSON object form) as smpnet writes it, and a
 * checker written from shared/reference/trace-event.md: what Perfetto and
 * chrome://tracing need to draw a trace as written. Times are compared as
 * Perfetto stores them, llround(ts * 1000) ns.
 */

export interface TraceEvent {
  ph: "X" | "i" | "C" | "M" | "s" | "t" | "f";
  cat: string;
  name: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  args?: Record<string, unknown>;
  id?: number;
  s?: "t" | "p" | "g";
  bp?: "e";
}

export interface TraceFile {
  traceEvents: TraceEvent[];
  metadata: Record<string, unknown>;
}

const PHASES = new Set(["X", "i", "C", "M", "s", "t", "f"]);
const toNs = (us: number) => Math.round(us * 1000);

interface Open {
  endNs: number;
  name: string;
}

/** Every way `file` breaks the format's rules; empty when it is sound. */
export function validateTrace(file: TraceFile): string[] {
  const errors: string[] = [];
  if (!Array.isArray(file?.traceEvents)) return ["traceEvents: expected an array of events"];
  const stacks = new Map<string, Open[]>();
  const lastTs = new Map<string, number>();
  const flows = new Map<string, { ph: string; tsNs: number }[]>();
  for (const [i, e] of file.traceEvents.entries()) {
    const at = `traceEvents[${i}] (${e.ph} ${e.name})`;
    if (!PHASES.has(e.ph)) {
      errors.push(`${at}: unknown phase ${JSON.stringify(e.ph)}`);
      continue;
    }
    if (typeof e.cat !== "string" || typeof e.name !== "string") {
      errors.push(`${at}: cat and name must be strings`);
      continue;
    }
    if (!Number.isInteger(e.pid) || (e.tid !== undefined && !Number.isInteger(e.tid))) {
      errors.push(`${at}: pid and tid must be integers`);
      continue;
    }
    if (e.ph === "M") continue;
    if (typeof e.ts !== "number" || !(e.ts >= 0)) {
      errors.push(`${at}: ts must be a non-negative number of microseconds`);
      continue;
    }
    const track = `${e.pid}/${e.tid ?? e.pid}`;
    const tsNs = toNs(e.ts);
    if (tsNs < (lastTs.get(track) ?? 0)) {
      errors.push(`${at}: ts goes back in time on track ${track}`);
    }
    lastTs.set(track, tsNs);
    let stack = stacks.get(track);
    if (stack === undefined) {
      stack = [];
      stacks.set(track, stack);
    }
    while (stack.length > 0 && stack[stack.length - 1]!.endNs <= tsNs) stack.pop();
    if (e.ph === "X") {
      if (typeof e.dur !== "number" || !(e.dur >= 0)) {
        errors.push(`${at}: X needs dur >= 0`);
        continue;
      }
      const endNs = toNs(e.ts + e.dur);
      const top = stack[stack.length - 1];
      if (top !== undefined && endNs > top.endNs) {
        errors.push(`${at}: overlaps ${top.name} on track ${track} (ends after it)`);
      }
      stack.push({ endNs, name: e.name });
    } else if (e.ph === "C") {
      const vals = Object.values(e.args ?? {});
      if (vals.length === 0 || !vals.every((v) => typeof v === "number" && Number.isFinite(v))) {
        errors.push(`${at}: a counter needs args of finite numbers`);
      }
    } else if (e.ph === "s" || e.ph === "t" || e.ph === "f") {
      if (!Number.isInteger(e.id) || e.id === 0) {
        errors.push(`${at}: a flow needs a non-zero integer id`);
        continue;
      }
      if (stack.length === 0) errors.push(`${at}: flow point outside any slice of track ${track}`);
      const key = `${e.cat}\0${e.name}\0${e.id}`;
      flows.set(key, [...(flows.get(key) ?? []), { ph: e.ph, tsNs }]);
    }
  }
  for (const [key, pts] of flows) {
    const id = key.split("\0")[2];
    const shape = pts.map((p) => p.ph).join("");
    if (!/^st*f$/.test(shape)) {
      errors.push(`flow ${id}: expected s, t..., f in order, got ${shape}`);
    } else if (pts.some((p, i) => i > 0 && p.tsNs < pts[i - 1]!.tsNs)) {
      errors.push(`flow ${id}: its points go back in time`);
    }
  }
  return errors;
}
