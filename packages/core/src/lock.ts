/*
 * What every lock has: a name (its class, as WITNESS and lockstat group
 * them), a kind, its lock word on a cache line of its host, and the host's
 * lock state (lockstat and lockdebug, each null while off).
 */

import type { CacheLine, Host, Lwp } from "@smpnet/sim";
import { type CoreState, coreState } from "./state.js";

export type LockKind = "adaptive" | "spin" | "rwlock" | "kernel_lock" | "sleeplock";

export abstract class Lock {
  readonly line: CacheLine;
  readonly core: CoreState;
  destroyed = false;

  constructor(
    readonly host: Host,
    readonly name: string,
    readonly kind: LockKind,
  ) {
    this.line = host.cacheline(name, 0);
    this.core = coreState(host);
  }

  /** The LWP holding the lock exclusively, or null (none, or readers). */
  abstract owner(): Lwp | null;

  toString(): string {
    return this.name;
  }
}
