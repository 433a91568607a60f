/*
 * lockstat(8)'s report, laid out as NetBSD's usr.sbin/lockstat/main.c prints
 * it (see shared/reference/lockstat.md): an elapsed-time line, then one
 * section per event with rows `%6.2f %7d %9.2f %-22s %s` (share of the
 * section's time, count, time in ms, lock, caller). A lock seen from more
 * than one caller first gets an `<all>` row. Locks sort by time, callers
 * within a lock likewise.
 *
 * The flags of lockstat.8 that shape the report, as options: -c (rank by
 * count), -s (per-second averages), -p (per-CPU averages), -l (by lock
 * only), -E (one event: spin or sleep), -T (one lock type), -L (one lock),
 * -F (one calling function). Left out: -m/-M (the records come merged by
 * name already), -b, -N, -o (the caller writes the text where it wants).
 *
 * The records are what @smpnet/core's LockStat gathers; this package only
 * depends on their shape.
 */

/** One (event, lock, caller) cell of lock statistics. */
export interface LockStatRow {
  event: string;
  lock: string;
  caller: string;
  count: number;
  timeNs: number;
}

/** lockstat(8)'s sections, in its order, with the lock type (-T) and event (-E) of each. */
export const LOCKSTAT_SECTIONS = [
  { name: "Adaptive mutex spin", type: "adaptive_mutex", event: "spin" },
  { name: "Adaptive mutex sleep", type: "adaptive_mutex", event: "sleep" },
  { name: "Spin mutex spin", type: "spin_mutex", event: "spin" },
  { name: "RW lock spin", type: "rwlock", event: "spin" },
  { name: "RW lock sleep", type: "rwlock", event: "sleep" },
  { name: "Kernel lock spin", type: "kernel_lock", event: "spin" },
] as const;

export const LOCKSTAT_TYPES = ["adaptive_mutex", "spin_mutex", "rwlock", "kernel_lock"] as const;
export const LOCKSTAT_EVENT_KINDS = ["spin", "sleep"] as const;

const HEADER = [
  "Total%  Count   Time/ms          Lock                     Caller",
  "------ ------- --------- ---------------------- ------------------------------",
];

export interface LockstatOptions {
  elapsedNs: number;
  /** Rank by count instead of time (-c). */
  byCount?: boolean;
  /** Counts and times per second of the run (-s). */
  perSecond?: boolean;
  /** Counts and times divided by this many CPUs (-p). */
  perCpu?: number;
  /** One row per lock, no callers (-l). */
  locksOnly?: boolean;
  /** Only this event kind (-E). */
  event?: (typeof LOCKSTAT_EVENT_KINDS)[number];
  /** Only this lock type (-T). */
  type?: (typeof LOCKSTAT_TYPES)[number];
  /** Only this lock (-L). */
  lock?: string;
  /** Only calls from this function (-F). */
  func?: string;
}

interface Cell {
  count: number;
  timeNs: number;
}

function row(share: number, c: Cell, lock: string, caller: string): string {
  const count = Number.isInteger(c.count) ? String(c.count) : c.count.toFixed(0);
  return `${share.toFixed(2).padStart(6)} ${count.padStart(7)} ${(c.timeNs / 1e6).toFixed(2).padStart(9)} ${lock.padEnd(22)} ${caller}`;
}

function sum(rows: readonly Cell[]): Cell {
  return {
    count: rows.reduce((s, r) => s + r.count, 0),
    timeNs: rows.reduce((s, r) => s + r.timeNs, 0),
  };
}

export function formatLockstat(rows: readonly LockStatRow[], opts: LockstatOptions): string {
  const out = [`Elapsed time: ${(opts.elapsedNs / 1e9).toFixed(2)} seconds.`];
  if (opts.perSecond || opts.perCpu !== undefined) {
    out[0] += ` Displaying ${opts.perCpu !== undefined ? "per-CPU " : ""}${opts.perSecond ? "per-second " : ""}averages.`;
  }
  const div = (opts.perSecond ? opts.elapsedNs / 1e9 : 1) * (opts.perCpu ?? 1);
  const scaled = (c: Cell): Cell => ({ count: c.count / div, timeNs: c.timeNs / div });
  const key = (r: Cell) => (opts.byCount ? r.count : r.timeNs);
  const sections = [
    ...LOCKSTAT_SECTIONS,
    ...[...new Set(rows.map((r) => r.event))]
      .filter((e) => !LOCKSTAT_SECTIONS.some((s) => s.name === e))
      .sort()
      .map((name) => ({ name, type: undefined, event: undefined })),
  ].filter(
    (s) =>
      (opts.event === undefined || s.event === opts.event) &&
      (opts.type === undefined || s.type === opts.type),
  );
  let any = false;
  for (const section of sections) {
    const inSection = rows.filter(
      (r) =>
        r.event === section.name &&
        r.count > 0 &&
        (opts.lock === undefined || r.lock === opts.lock) &&
        (opts.func === undefined || r.caller === opts.func),
    );
    if (inSection.length === 0) continue;
    any = true;
    const total = key(sum(inSection));
    const share = (r: Cell) => (total > 0 ? (100 * key(r)) / total : 0);
    const locks = new Map<string, LockStatRow[]>();
    for (const r of inSection) locks.set(r.lock, [...(locks.get(r.lock) ?? []), r]);
    const sums = [...locks.entries()].map(([lock, rs]) => ({
      lock,
      rows: [...rs].sort((a, b) => key(b) - key(a) || a.caller.localeCompare(b.caller)),
      ...sum(rs),
    }));
    sums.sort((a, b) => key(b) - key(a) || a.lock.localeCompare(b.lock));
    out.push("", `-- ${section.name}`, "", ...HEADER);
    for (const s of sums) {
      if (opts.locksOnly) {
        out.push(row(share(s), scaled(s), s.lock, "").trimEnd());
        continue;
      }
      if (s.rows.length > 1) out.push(row(share(s), scaled(s), s.lock, "<all>"));
      for (const r of s.rows) out.push(row(share(r), scaled(r), r.lock, r.caller));
    }
  }
  if (!any) out.push("None of the selected events were recorded.");
  return `${out.join("\n")}\n`;
}
