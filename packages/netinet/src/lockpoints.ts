/*
 * Lock points: the places where netinet needs synchronisation, named, and
 * filled by a locking policy. netinet takes no lock by name; at each point
 * it calls the policy's enter before and exit after, with the object the
 * point protects. What NetBSD and FreeBSD take at each point is in the
 * package README.
 *
 *   input       around each run of the network softint over ip_pktq (ipintr)
 *   pcb_lookup  around a pcb hash lookup on the input path
 *   pcb_change  around inserting, rehashing or removing a pcb
 *   so_input    the input path's hold on the socket it delivers to, around
 *               the protocol's work and the append to so_rcv
 *   so_syscall  a system call's hold on its socket (solock)
 *   usrreq      around the protocol's user request (pr_send, pr_attach, ...)
 *   copy        around the copy between user space and mbufs in sosend and
 *               soreceive: enter before it, exit after (NetBSD drops so_lock
 *               for it; a per-socket mutex design keeps it)
 *   output      around ip_output called from a protocol
 *   timer       around a protocol timer's handler
 */

import { done, type KernelOp, SimError } from "@smpnet/sim";
import type { inpcbtable } from "./in_pcb.js";
import type { socket } from "./socketvar.js";
import type { NetStack } from "./stack.js";

/** enter and exit: generator functions, or plain functions returning an operation (mutex_enter). */
export interface LockPoint<A> {
  enter(a: A): KernelOp<void>;
  exit(a: A): KernelOp<void>;
}

export interface NetLocking {
  input: LockPoint<NetStack>;
  pcb_lookup: LockPoint<inpcbtable>;
  pcb_change: LockPoint<inpcbtable>;
  so_input: LockPoint<socket>;
  so_syscall: LockPoint<socket>;
  usrreq: LockPoint<socket>;
  copy: LockPoint<socket>;
  output: LockPoint<socket>;
  timer: LockPoint<socket>;
}

export type LockPointName = keyof NetLocking;

export const LOCK_POINTS: readonly LockPointName[] = [
  "input",
  "pcb_lookup",
  "pcb_change",
  "so_input",
  "so_syscall",
  "usrreq",
  "copy",
  "output",
  "timer",
];

/**
 * A locking policy: a name and `attach`, which creates the policy's locks
 * for one host's stack and returns what each lock point takes.
 */
export interface NetPolicy {
  readonly name: string;
  /**
   * How sosend feeds a stream to the protocol: "cluster", NetBSD's sosend,
   * one mbuf (a 2 KB cluster) copied and handed to pr_send at a time
   * (sys/kern/uipc_socket.c: for a non-atomic socket the inner loop builds
   * one mbuf); "space", FreeBSD's sosend_generic, all the room so_snd has
   * copied in one m_uiotombuf and one pr_send (sys/kern/uipc_socket.c).
   * Default: the kernel's, by its sysctl preset ("space" on freebsd).
   */
  readonly sosend?: "cluster" | "space";
  attach(stack: NetStack): NetLocking;
}

/** A lock point that takes nothing. */
export const NOTHING: LockPoint<unknown> = {
  enter: () => done(undefined),
  exit: () => done(undefined),
};

/** Checks a policy object; every error names the field and the fix. */
export function validatePolicy(p: unknown, what = "policy"): NetPolicy {
  if (p === null || typeof p !== "object") {
    throw new SimError(`${what}: expected an object with name and attach, got ${typeof p}`);
  }
  const o = p as Record<string, unknown>;
  if (typeof o.name !== "string" || o.name.length === 0) {
    throw new SimError(`${what}.name: expected a non-empty string naming the policy`);
  }
  if (typeof o.attach !== "function") {
    throw new SimError(
      `${what}.attach: expected a function (stack) => lock points {${LOCK_POINTS.join(", ")}}`,
    );
  }
  for (const k of Object.keys(o)) {
    if (k !== "name" && k !== "attach" && k !== "description" && k !== "sosend") {
      throw new SimError(
        `${what}.${k}: unknown field; a policy has name, description, sosend and attach`,
      );
    }
  }
  if (o.sosend !== undefined && o.sosend !== "cluster" && o.sosend !== "space") {
    throw new SimError(
      `${what}.sosend: expected "cluster" (NetBSD's sosend) or "space" (FreeBSD's sosend_generic), got ${String(o.sosend)}`,
    );
  }
  return p as NetPolicy;
}

/** Checks what a policy's attach returned: every lock point, each with enter and exit. */
export function validateLocking(l: unknown, policy: string): NetLocking {
  const what = `policy ${policy}: attach returned`;
  if (l === null || typeof l !== "object") {
    throw new SimError(`${what} ${typeof l}; return an object with ${LOCK_POINTS.join(", ")}`);
  }
  const o = l as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(LOCK_POINTS as readonly string[]).includes(k)) {
      throw new SimError(
        `${what} an unknown lock point ${k}; the points are ${LOCK_POINTS.join(", ")}`,
      );
    }
  }
  for (const k of LOCK_POINTS) {
    const pt = o[k] as Record<string, unknown> | undefined;
    if (pt === undefined) {
      throw new SimError(
        `${what} no lock point ${k}; give it { enter, exit } (NOTHING if it takes no lock)`,
      );
    }
    for (const f of ["enter", "exit"]) {
      if (typeof pt?.[f] !== "function") {
        throw new SimError(`${what} ${k}.${f} that is not a function; give a generator function`);
      }
    }
  }
  return l as NetLocking;
}
