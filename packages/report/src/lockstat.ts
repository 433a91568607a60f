/*
 * lockstat(8)'s report, laid out as NetBSD's usr.sbin/lockstat/main.c prints
 * it (see shared/reference/lockstat.md): an elapsed-time line, then one
 * section per event with rows `%6.2f %7d %9.2f %-22s %s` (share of the
 * section's time, count, time in ms, lock, caller). A lock seen from more
 * than one caller first gets an `<all>` row. Locks sort by time, callers
 * within a lock likewise.
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

/** Section order of lockstat(8). */
const SECTIONS = [
  "Adaptive mutex spin",
  "Adaptive mutex sleep",
  "Spin mutex spin",
  "RW lock spin",
  "RW lock sleep",
  "Kernel lock spin",
];

const HEADER = [
  "Total%  Count   Time/ms          Lock                     Caller",
  "------ ------- --------- ---------------------- ------------------------------",
];

export interface LockstatOptions {
  elapsedNs: number;
  /** Rank by count instead of time (lockstat -c). */
  byCount?: boolean;
}

function row(share: number, count: number, ns: number, lock: string, caller: string): string {
  return `${share.toFixed(2).padStart(6)} ${String(count).padStart(7)} ${(ns / 1e6).toFixed(2).padStart(9)} ${lock.padEnd(22)} ${caller}`;
}

export function formatLockstat(rows: readonly LockStatRow[], opts: LockstatOptions): string {
  const out = [`Elapsed time: ${(opts.elapsedNs / 1e9).toFixed(2)} seconds.`];
  const key = (r: { count: number; timeNs: number }) => (opts.byCount ? r.count : r.timeNs);
  const events = [...new Set(rows.map((r) => r.event))].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
  let any = false;
  for (const event of events) {
    const inSection = rows.filter((r) => r.event === event && r.count > 0);
    if (inSection.length === 0) continue;
    any = true;
    const total = inSection.reduce((s, r) => s + key(r), 0);
    const share = (r: { count: number; timeNs: number }) =>
      total > 0 ? (100 * key(r)) / total : 0;
    const locks = new Map<string, LockStatRow[]>();
    for (const r of inSection) locks.set(r.lock, [...(locks.get(r.lock) ?? []), r]);
    const sums = [...locks.entries()].map(([lock, rs]) => ({
      lock,
      rows: [...rs].sort((a, b) => key(b) - key(a) || a.caller.localeCompare(b.caller)),
      count: rs.reduce((s, r) => s + r.count, 0),
      timeNs: rs.reduce((s, r) => s + r.timeNs, 0),
    }));
    sums.sort((a, b) => key(b) - key(a) || a.lock.localeCompare(b.lock));
    out.push("", `-- ${event}`, "", ...HEADER);
    for (const s of sums) {
      if (s.rows.length > 1) out.push(row(share(s), s.count, s.timeNs, s.lock, "<all>"));
      for (const r of s.rows) out.push(row(share(r), r.count, r.timeNs, r.lock, r.caller));
    }
  }
  if (!any) out.push("None of the selected events were recorded.");
  return `${out.join("\n")}\n`;
}

function rank(event: string): number {
  const i = SECTIONS.indexOf(event);
  return i < 0 ? SECTIONS.length : i;
}
