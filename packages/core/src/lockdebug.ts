/*
 * lockdebug: NetBSD's LOCKDEBUG (kern/subr_lockdebug.c) and FreeBSD's
 * WITNESS in one debugging mode. Off by default; while off each lock
 * operation pays one null test. While on it keeps, per LWP, the locks held
 * and the call path that took each, and per lock class (name) the order in
 * which classes were ever held together, and reports, with the simulated
 * time and the kernel call path:
 *
 * - lock-order reversal: B taken while holding A after A was taken while
 *   holding B (any chain of classes, as WITNESS's order graph);
 * - sleeping while holding a spin mutex;
 * - release by an LWP that does not hold the lock;
 * - recursion on a lock that does not allow it;
 * - deadlock: an LWP about to wait for a lock whose owner (transitively)
 *   waits for one it holds;
 * - a lock destroyed while held;
 * - sleeping inside a read section (pserialize, epoch, smr all forbid it);
 * - an object used after its grace period ended and it was freed (a reader
 *   that kept a pointer across its exit);
 * - a retire of an object still linked in its structure;
 * - a reader that uses a type-stable object (PR_PSERIALIZE) whose generation
 *   changed since its lookup: the pool handed it out again and the reader
 *   did not revalidate it.
 *
 * A report is recorded (`reports`); in `panic` mode it also throws, as
 * LOCKDEBUG panics the kernel.
 */

import { type Cpu, callpath, curcpu, type Host, type Lwp, SimError } from "@smpnet/sim";
import type { Lock } from "./lock.js";
import { coreState } from "./state.js";

export type LockDebugKind =
  | "lock-order-reversal"
  | "sleep-with-spin-mutex"
  | "not-owner"
  | "recursion"
  | "deadlock"
  | "destroy-held"
  | "sleep-in-read-section"
  | "use-after-reclaim"
  | "retire-linked"
  | "use-after-reuse";

export interface LockDebugReport {
  kind: LockDebugKind;
  message: string;
  timeNs: number;
  cpu: string;
  lwp: string;
  lock: string;
  /** Kernel call path of the code that hit it, outermost first. */
  callPath: string[];
}

interface Held {
  lock: Lock;
  path: string[];
}

export class LockDebug {
  readonly reports: LockDebugReport[] = [];
  private held = new WeakMap<Lwp, Held[]>();
  private waitingFor = new Map<Lwp, Lock>();
  /** Lock class -> classes taken while holding it, with where it was first seen. */
  private order = new Map<string, Map<string, string[]>>();

  constructor(readonly panic: boolean) {}

  /** Per LWP: the read sections it is inside, innermost last. */
  private reading = new WeakMap<Lwp, string[]>();

  private report(kind: LockDebugKind, lock: Lock | string, message: string): void {
    const cpu = curcpu();
    const r: LockDebugReport = {
      kind,
      message,
      timeNs: cpu.host.sim.now,
      cpu: cpu.name,
      lwp: String(cpu.curlwp),
      lock: typeof lock === "string" ? lock : lock.name,
      callPath: [...callpath()],
    };
    this.reports.push(r);
    if (this.panic) {
      throw new SimError(
        `lockdebug: ${kind}: ${message} (called from ${r.callPath.join(" <- ") || "?"})`,
      );
    }
  }

  heldBy(l: Lwp): Held[] {
    let h = this.held.get(l);
    if (h === undefined) {
      h = [];
      this.held.set(l, h);
    }
    return h;
  }

  /** Before taking `lock` (it may wait): recursion and order. */
  acquiring(lock: Lock, l: Lwp, recursionAllowed: boolean): void {
    const held = this.heldBy(l);
    if (!recursionAllowed && held.some((h) => h.lock === lock)) {
      this.report(
        "recursion",
        lock,
        `${l} takes ${lock} which it holds already (locking against myself)`,
      );
      return;
    }
    for (const h of held) {
      const a = h.lock.name;
      const b = lock.name;
      if (a === b) continue;
      const back = this.path(b, a);
      if (back !== null) {
        this.report(
          "lock-order-reversal",
          lock,
          `${b} taken while holding ${a}; established order is ${back.join(" -> ")} (first seen at ${this.order.get(back[0]!)?.get(back[1]!)?.join(" <- ") ?? "?"})`,
        );
        continue;
      }
      let edges = this.order.get(a);
      if (edges === undefined) {
        edges = new Map();
        this.order.set(a, edges);
      }
      if (!edges.has(b)) edges.set(b, [...callpath()]);
    }
  }

  /** After taking `lock`. */
  acquired(lock: Lock, l: Lwp): void {
    this.heldBy(l).push({ lock, path: [...callpath()] });
    this.waitingFor.delete(l);
  }

  /** On release: `l` must hold it. Returns false (after reporting) when not. */
  releasing(lock: Lock, l: Lwp, holds: boolean): boolean {
    const held = this.heldBy(l);
    const i = held.findIndex((h) => h.lock === lock);
    if (!holds || i < 0) {
      const who = lock.owner();
      this.report("not-owner", lock, `${l} releases ${lock}, held by ${who ?? "nobody"}`);
      return false;
    }
    held.splice(i, 1);
    return true;
  }

  /** About to wait (spin or sleep) for `lock`: is that a cycle of waiters? */
  blocking(lock: Lock, l: Lwp): void {
    this.waitingFor.set(l, lock);
    const chain = [`${l} waits for ${lock}`];
    let next: Lock | undefined = lock;
    for (let steps = 0; next !== undefined && steps < 64; steps++) {
      const owner = next.owner();
      if (owner === null) return;
      if (owner === l) {
        this.report("deadlock", lock, `${chain.join(", ")}, held by ${l}: a cycle`);
        return;
      }
      next = this.waitingFor.get(owner);
      if (next !== undefined) chain.push(`held by ${owner}, who waits for ${next}`);
    }
  }

  unblocked(l: Lwp): void {
    this.waitingFor.delete(l);
  }

  readEnter(l: Lwp, scheme: string): void {
    let r = this.reading.get(l);
    if (r === undefined) {
      r = [];
      this.reading.set(l, r);
    }
    r.push(scheme);
  }

  readExit(l: Lwp, scheme: string): void {
    const r = this.reading.get(l);
    const i = r?.lastIndexOf(scheme) ?? -1;
    if (i >= 0) r!.splice(i, 1);
  }

  usedAfterReclaim(obj: { name: string; freedAtNs: number }): void {
    this.report(
      "use-after-reclaim",
      obj.name,
      `${curcpu().curlwp} uses ${obj.name}, freed at ${obj.freedAtNs} ns: a pointer kept past its read section, or a grace period that ended too early`,
    );
  }

  retireLinked(scheme: string, obj: { name: string }): void {
    this.report(
      "retire-linked",
      obj.name,
      `${scheme}: ${obj.name} retired while still linked in its structure; unlink it first, or readers find it after it is freed`,
    );
  }

  reusedSinceLookup(obj: { name: string; gen: number }, genAtLookup: number): void {
    this.report(
      "use-after-reuse",
      obj.name,
      `${curcpu().curlwp} uses ${obj.name} as generation ${genAtLookup}, but the pool handed it out again (now ${obj.gen}): revalidate a type-stable object after taking its lock`,
    );
  }

  /** `l` is about to sleep on `cpu`. */
  sleeping(l: Lwp, cpu: Cpu): void {
    const r = this.reading.get(l);
    if (r !== undefined && r.length > 0) {
      this.report(
        "sleep-in-read-section",
        r[r.length - 1]!,
        `${l} sleeps inside a ${r.join(", ")} read section, which may not block`,
      );
    }
    if (coreState(cpu.host).cpus[cpu.index]!.spinHeld === 0) return;
    const spins = this.heldBy(l).filter((h) => h.lock.kind === "spin");
    const lock = spins[0]?.lock;
    if (lock !== undefined) {
      this.report(
        "sleep-with-spin-mutex",
        lock,
        `${l} sleeps holding spin mutex ${spins.map((h) => h.lock.name).join(", ")}`,
      );
    }
  }

  destroying(lock: Lock): void {
    const owner = lock.owner();
    if (owner !== null)
      this.report("destroy-held", lock, `${lock} destroyed while ${owner} holds it`);
  }

  /** Classes reachable from `from`, as a path ending in `to`, or null. */
  private path(from: string, to: string): string[] | null {
    const seen = new Set<string>([from]);
    const queue: string[][] = [[from]];
    while (queue.length > 0) {
      const p = queue.shift()!;
      for (const n of this.order.get(p[p.length - 1]!)?.keys() ?? []) {
        if (n === to) return [...p, n];
        if (!seen.has(n)) {
          seen.add(n);
          queue.push([...p, n]);
        }
      }
    }
    return null;
  }
}

/** Turns lockdebug on for `host` (`panic`: throw on the first report). */
export function lockdebug_enable(host: Host, opts: { panic?: boolean } = {}): LockDebug {
  const st = coreState(host);
  st.debug ??= new LockDebug(opts.panic ?? false);
  return st.debug;
}
