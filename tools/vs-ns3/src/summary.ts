/*
 * What the comparison reports of one run: goodput, the windows it started
 * and peaked at, its recovery episodes and timeouts, and the first episode
 * in detail (the window before it, the ssthresh it set, how long it took),
 * the figures the README puts side by side.
 */

import type { Run } from "./scenario.js";

export interface FirstRecovery {
  atS: number;
  /** The window the last ACK before the episode left. */
  cwndBeforeBytes: number;
  ssthreshBytes: number;
  /** -1 when it had not ended when the run did. */
  durationMs: number;
}

export interface Summary {
  goodputMbps: number;
  initialCwndBytes: number;
  maxCwndBytes: number;
  recoveries: number;
  timeouts: number;
  firstRecovery: FirstRecovery | null;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export function summarize(r: Run): Summary {
  let max = 0;
  for (const [, w] of r.cwnd) if (w > max) max = w;
  const e = r.episodes[0];
  let firstRecovery: FirstRecovery | null = null;
  if (e !== undefined) {
    let before = 0;
    for (const [t, w] of r.cwnd) {
      if (t >= e.startS) break;
      before = w;
    }
    firstRecovery = {
      atS: round(e.startS, 6),
      cwndBeforeBytes: before,
      ssthreshBytes: e.ssthresh,
      durationMs: e.endS < 0 ? -1 : round((e.endS - e.startS) * 1e3, 3),
    };
  }
  return {
    goodputMbps: round(r.goodputMbps, 1),
    initialCwndBytes: r.cwnd[0]?.[1] ?? 0,
    maxCwndBytes: max,
    recoveries: r.episodes.length,
    timeouts: r.timeouts,
    firstRecovery,
  };
}
