/*
 * Kernel functions that name themselves. NetBSD's lockstat and LOCKDEBUG
 * name the caller from the return address; here a kernel function declared
 * with kfn() pushes its name on the running context's call path for its
 * duration, so a lock knows who took it and a report shows how it got there.
 * The cost is one array push and pop per call.
 */

import { callpath, curcpu, type KernelGen, type KernelOp, paid, SimError } from "@smpnet/sim";

/** The most parameters a kfn body may take (the wrapper passes them without a rest array). */
const KFN_MAX_ARGS = 3;

function checkArity(name: string, body: (...args: never[]) => unknown): void {
  if (body.length > KFN_MAX_ARGS) {
    throw new SimError(
      `kfn ${name}: the body takes ${body.length} parameters; at most ${KFN_MAX_ARGS} (raise KFN_MAX_ARGS)`,
    );
  }
}

export function kfn<A extends unknown[], T>(
  name: string,
  body: (...args: A) => KernelGen<T>,
): (...args: A) => KernelGen<T> {
  checkArity(name, body);
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
 * kfn for a plain kernel function (ops.ts): its name is on the call path
 * while it runs; when it finished in place the name comes off at once, else
 * a generator runs the rest and takes it off at the end.
 */
export function kfnOp<A extends unknown[], T>(
  name: string,
  body: (...args: A) => KernelOp<T>,
): (...args: A) => KernelOp<T> {
  checkArity(name, body);
  const call = body as unknown as (a: unknown, b: unknown, c: unknown) => KernelOp<T>;
  return ((a: unknown, b: unknown, c: unknown): KernelOp<T> => {
    const path = callpath();
    path.push(name);
    let o: KernelOp<T>;
    try {
      o = call(a, b, c);
    } catch (e) {
      path.pop();
      throw e;
    }
    if (paid(o)) {
      path.pop();
      return o;
    }
    return kfnRest(path, o);
  }) as unknown as (...args: A) => KernelOp<T>;
}

function* kfnRest<T>(path: string[], o: KernelOp<T>): KernelGen<T> {
  try {
    return yield* o;
  } finally {
    path.pop();
  }
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
