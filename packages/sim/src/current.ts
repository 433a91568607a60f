/*
 * curcpu(), curlwp() and the time, as kernel code reads them: plain calls, as
 * cheap as the register read they are in C. The machine sets `running` before
 * it resumes a generator.
 */

import type { Cpu } from "./cpu.js";
import { SimError } from "./errors.js";
import type { Context, Lwp } from "./lwp.js";

/**
 * The CPU running kernel code, the context whose generator it resumed last
 * (null if the simulation does not carry operations out in place), and the
 * operations it has counted toward its livelock check.
 */
export const running = { cpu: null as Cpu | null, ctx: null as Context | null, ops: 0 };

/**
 * Operations at one instant before the machine calls it a livelock. The
 * innermost Cpu.run counts them in `running.ops`, its loop's and those its
 * code carries out in place (ops.ts) alike: one field, not a call per operation.
 */
export const LIVELOCK_OPS = 10_000_000;

/** The CPU this kernel code runs on. */
export function curcpu(): Cpu {
  // the throw in a function of its own keeps curcpu small enough to inline everywhere
  return running.cpu ?? outside();
}

function outside(): never {
  throw new SimError("curcpu: called outside kernel code run by the machine");
}

/** The LWP this kernel code runs in (the interrupted one, in an interrupt handler). */
export function curlwp(): Lwp {
  return curcpu().curlwp;
}

/**
 * The kernel call path of the running context (the LWP's, or the interrupt
 * handler's): kernel functions push their name on entry and pop it on return.
 */
export function callpath(): string[] {
  return curcpu().curctx.callPath;
}

/** The simulated time in nanoseconds. */
export function nanotime(): number {
  return curcpu().host.sim.now;
}

/** Enter the kernel from user mode: CPU time is system time until syscall_exit. */
export function syscall_enter(): void {
  curcpu().setMode(curlwp(), false);
}

/** Return to user mode. */
export function syscall_exit(): void {
  curcpu().setMode(curlwp(), true);
}

/** kpreempt_disable: no kernel preemption of this LWP until kpreempt_enable. */
export function kpreempt_disable(): void {
  curlwp().nopreempt++;
}
