/*
 * What `load`, `store` and the atomics do to a cache line and what they
 * cost, written once for the two ways an operation is carried out: by the
 * loop (Cpu.execute, after the generator suspended) and in place, from the
 * operation's own call (ops.ts). Each updates the line's ownership and word,
 * leaves the operation's result in `ctx.resume` and returns its cost in ns.
 * The caller has checked the line (a CacheLine of this CPU's host).
 */

import type { CacheLine } from "./cacheline.js";
import type { Cpu } from "./cpu.js";
import type { Context } from "./lwp.js";

export function lineLoad(cpu: Cpu, ctx: Context, line: CacheLine): number {
  ctx.resume = line.value;
  return line.read(cpu, cpu.sim.now);
}

export function lineStore(cpu: Cpu, line: CacheLine, value: unknown): number {
  const ns = line.write(cpu, cpu.sim.now);
  line.set(value);
  return ns;
}

export function lineCas(
  cpu: Cpu,
  ctx: Context,
  line: CacheLine,
  expected: unknown,
  value: unknown,
): number {
  const ns = line.write(cpu, cpu.sim.now) + cpu.rmwNs;
  const old = line.value;
  if (old === expected) line.set(value);
  ctx.resume = old;
  return ns;
}

export function lineSwap(cpu: Cpu, ctx: Context, line: CacheLine, value: unknown): number {
  const ns = line.write(cpu, cpu.sim.now) + cpu.rmwNs;
  ctx.resume = line.value;
  line.set(value);
  return ns;
}

/** The line must hold a number (the loop names one that does not). */
export function lineAdd(cpu: Cpu, ctx: Context, line: CacheLine, delta: number): number {
  const ns = line.write(cpu, cpu.sim.now) + cpu.rmwNs;
  const v = (line.value as number) + delta;
  line.set(v);
  ctx.resume = v;
  return ns;
}
