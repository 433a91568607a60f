/*
 * How a CPU, a context and a lock are named in traces and folded stacks.
 * Folded stacks split frames on ";" and the count on the last space, so
 * names keep neither.
 */

import { ACCT_NAMES, ACCT_SOFTINT, type Cpu, type Lwp } from "@smpnet/sim";

export function frameName(s: string): string {
  return s.replace(/[;\s]+/g, "_");
}

/** `softint_net` for a softnet LWP (kern_softint.c's level names), else the LWP's name. */
export function lwpLabel(l: Lwp): string {
  if (l.kacct >= ACCT_SOFTINT) return `softint_${ACCT_NAMES[l.kacct]!.slice(4)}`;
  return frameName(l.name);
}

/** `cpu0`, or `host/cpu0` when several hosts are traced. */
export function cpuLabel(c: Cpu, withHost: boolean): string {
  return withHost ? `${c.host.name}/cpu${c.index}` : `cpu${c.index}`;
}

/** What a spin waited for: the lock's (or line's) name when it has one. */
export function tagName(tag: unknown): string {
  if (typeof tag === "string") return tag;
  if (tag !== null && typeof tag === "object" && "name" in tag && typeof tag.name === "string") {
    return tag.name;
  }
  return "?";
}
