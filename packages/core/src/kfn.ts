/*
 * Kernel functions that name themselves. NetBSD's lockstat and LOCKDEBUG
 * name the caller from the return address; here a kernel function declared
 * with kfn() pushes its name on the running context's call path for its
 * duration, so a lock knows who took it and a report shows how it got there.
 * The cost is one array push and pop per call.
 */

import { callpath, curcpu, type KernelGen } from "@smpnet/sim";

export function kfn<A extends unknown[], T>(
  name: string,
  body: (...args: A) => KernelGen<T>,
): (...args: A) => KernelGen<T> {
  return function* (...args: A): KernelGen<T> {
    const path = callpath();
    path.push(name);
    try {
      return yield* body(...args);
    } finally {
      path.pop();
    }
  };
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
