/*
 * Kernel functions that name themselves. NetBSD's lockstat and LOCKDEBUG
 * name the caller from the return address; here a kernel function declared
 * with kfn() pushes its name on the running context's call path for its
 * duration, so a lock knows who took it and a report shows how it got there.
 * The cost is one array push and pop per call.
 */

import { callpath, curcpu, type KernelGen, SimError } from "@smpnet/sim";

/** The most parameters a kfn body may take (the wrapper passes them without a rest array). */
const KFN_MAX_ARGS = 3;

export function kfn<A extends unknown[], T>(
  name: string,
  body: (...args: A) => KernelGen<T>,
): (...args: A) => KernelGen<T> {
  if (body.length > KFN_MAX_ARGS) {
    throw new SimError(
      `kfn ${name}: the body takes ${body.length} parameters; at most ${KFN_MAX_ARGS} (raise KFN_MAX_ARGS)`,
    );
  }
  // fixed parameters, not (...args): tcp_input runs for every segment, and a
  // rest array and its spread cost two allocations a call; a missing argument
  // arrives as undefined, which a default parameter treats as missing
  const call = body as unknown as (a: unknown, b: unknown, c: unknown) => KernelGen<T>;
  return function* (a: unknown, b: unknown, c: unknown): KernelGen<T> {
    const path = callpath();
    path.push(name);
    try {
      return yield* call(a, b, c);
    } finally {
      path.pop();
    }
  } as unknown as (...args: A) => KernelGen<T>;
}

/**
 * The innermost named kernel function running now. When none is named: in
 * an interrupt handler, the interrupt source; in a kernel thread, the
 * thread (its body is the caller); in a user thread's system call, "?".
 */
export function caller(): string {
  const ctx = curcpu().curctx;
  const path = ctx.callPath;
  if (path.length > 0) return path[path.length - 1]!;
  if (ctx.name !== "") return ctx.name;
  return ctx.lwp !== null && !ctx.lwp.user ? ctx.lwp.name : "?";
}
