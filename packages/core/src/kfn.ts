/*
 * Kernel functions that name themselves. NetBSD's lockstat and LOCKDEBUG
 * name the caller from the return address; here a kernel function declared
 * with kfn() pushes its name on the running context's call path for its
 * duration, so a lock knows who took it and a report shows how it got there.
 * The cost is one array push and pop per call.
 */

import { callpath, type KernelGen } from "@smpnet/sim";

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

/** The innermost named kernel function running now, or "?" when none is named. */
export function caller(): string {
  const path = callpath();
  return path.length > 0 ? path[path.length - 1]! : "?";
}
