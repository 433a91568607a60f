/*
 * Folded stacks of where each CPU's time went, by kernel function, in the
 * form flamegraph.pl and speedscope read: `cpu0;softint_net;ip_input;
 * tcp_input;mutex_enter 1234`, the count in nanoseconds.
 *
 * A stack is the CPU, the context (the LWP, `softint_<level>` for a softint
 * LWP, `intr_<source>` above it for an interrupt) and the call path that
 * kernel functions push on entry (@smpnet/core's kfn). The sampler looks at
 * a CPU whenever what it runs changes: a context switch, an interrupt's
 * entry and exit, a spin's begin and end, and a kernel function's entry and
 * return; the CPU's busy time since its last look goes to the stack it ran
 * until then. So every nanosecond goes to the stack that spent it, and the
 * stacks of a CPU add up to its busy time in the accounting exactly
 * (rounded to whole ns as a running total).
 *
 * The machine has no probe for a kernel function's entry and return, so
 * while attached the sampler wraps push and pop of each context's call path
 * it meets (and unwraps them at detach). It schedules no events of its own:
 * a sampling clock would change how the machine batches work into events,
 * and with it the run (in this package's test fixture a 10 µs clock moved a
 * user thread's time by 13%).
 */

import type { Cpu, Lwp } from "@smpnet/sim";
import { cpuLabel, frameName, lwpLabel } from "./labels.js";

interface Frame {
  ctx: Ctx;
  /** Where this frame's stacks start: the CPU and the context's label. */
  root: StackNode;
  /** The CPU's idle LWP. */
  idle: boolean;
}

/**
 * One stack in a tree of them: a look walks the call path down from the
 * frame's root by the names it holds, rather than joining them into a key
 * each time (the key is made once per stack, at the end).
 */
class StackNode {
  ns = 0;
  private kids: Map<string, StackNode> | null = null;
  constructor(readonly key: string) {}

  kid(name: string): StackNode {
    this.kids ??= new Map();
    let k = this.kids.get(name);
    if (k === undefined) {
      k = new StackNode(`${this.key};${name === USER ? "user" : cachedFrameName(name)}`);
      this.kids.set(name, k);
    }
    return k;
  }

  *all(): Generator<StackNode> {
    yield this;
    if (this.kids !== null) for (const k of this.kids.values()) yield* k.all();
  }
}

/** The child that marks time in user mode (no kernel function is named so). */
const USER = " user";

interface CpuState {
  frames: Frame[];
  /** Busy ns up to the last look, and the time of that look. */
  busyNs: number;
  lastNs: number;
  /** What is left of the switch into the LWP: kernel time, even for one resumed in user mode. */
  switchLeftNs: number;
}

/** Busy time from the accounting: everything but idle. */
export function busyNs(c: Cpu): number {
  const split = c.timeSplit();
  let sum = 0;
  for (const k in split) if (k !== "idle") sum += split[k]!;
  return sum;
}

const names = new Map<string, string>();

function cachedFrameName(s: string): string {
  let n = names.get(s);
  if (n === undefined) {
    n = frameName(s);
    names.set(s, n);
  }
  return n;
}

type Ctx = Cpu["curctx"];

export class StackSampler {
  private readonly state = new Map<Cpu, CpuState>();
  private readonly roots = new Map<string, StackNode>();
  private readonly prefixes = new Map<Cpu, string>();
  private readonly wrapped: string[][] = [];
  private readonly seen = new WeakSet<Ctx>();

  constructor(cpus: readonly Cpu[], withHost: boolean) {
    for (const c of cpus) {
      this.prefixes.set(c, cpuLabel(c, withHost));
      this.state.set(c, {
        frames: [this.lwpFrame(c, c.curlwp)],
        busyNs: busyNs(c),
        lastNs: c.host.sim.now,
        switchLeftNs: 0,
      });
    }
  }

  private lwpFrame(c: Cpu, l: Lwp): Frame {
    this.watch(l.ctx, c);
    const idle = l === c.idlelwp;
    return { ctx: l.ctx, root: this.root(c, idle ? "idle" : lwpLabel(l)), idle };
  }

  private root(c: Cpu, label: string): StackNode {
    const key = `${this.prefixes.get(c)};${label}`;
    let r = this.roots.get(key);
    if (r === undefined) {
      r = new StackNode(key);
      this.roots.set(key, r);
    }
    return r;
  }

  /** Looks at the CPU running `ctx` before each push and pop of its call path. */
  private watch(ctx: Ctx, c: Cpu): void {
    if (this.seen.has(ctx)) return;
    this.seen.add(ctx);
    const path = ctx.callPath;
    const cpuOf = () => ctx.lwp?.cpu ?? c;
    const { push, pop } = Array.prototype;
    Object.defineProperty(path, "push", {
      configurable: true,
      value: (...names: string[]) => {
        this.look(cpuOf());
        return push.apply(path, names);
      },
    });
    Object.defineProperty(path, "pop", {
      configurable: true,
      value: () => {
        this.look(cpuOf());
        return pop.call(path);
      },
    });
    this.wrapped.push(path);
  }

  /** Gives every call path its own push and pop back. */
  detach(): void {
    for (const path of this.wrapped) {
      delete (path as { push?: unknown }).push;
      delete (path as { pop?: unknown }).pop;
    }
    this.wrapped.length = 0;
  }

  /** Gives `c`'s busy time since its last look to the stack running until now. */
  look(c: Cpu): void {
    const st = this.state.get(c);
    if (st === undefined) return;
    const now = c.host.sim.now;
    const top = st.frames[st.frames.length - 1]!;
    // the CPU is idle exactly while its idle LWP runs with no interrupt above it
    if (top.idle && st.frames.length === 1) {
      st.lastNs = now;
      return;
    }
    const busy = st.busyNs + (now - st.lastNs);
    const ns = Math.round(busy) - Math.round(st.busyNs);
    st.busyNs = busy;
    st.lastNs = now;
    if (ns === 0) return;
    let node = top.root;
    for (const f of top.ctx.callPath) node = node.kid(f);
    if (st.frames.length > 1) {
      node.ns += ns;
      return;
    }
    // the machine accounts the switch as kernel time (Cpu.switchTo)
    const sw = Math.min(ns, st.switchLeftNs);
    st.switchLeftNs -= sw;
    if (top.ctx.lwp?.userMode) {
      node.ns += sw;
      if (ns > sw) node.kid(USER).ns += ns - sw;
    } else {
      node.ns += ns;
    }
  }

  contextSwitch(c: Cpu, to: Lwp): void {
    this.look(c);
    const st = this.state.get(c);
    if (st === undefined) return;
    st.frames = [this.lwpFrame(c, to)];
    st.switchLeftNs = to === c.idlelwp ? 0 : c.switchNs;
  }

  /** Called after the machine pushed the interrupt frame: the time before it was the frame below's. */
  intrEntry(c: Cpu, name: string): void {
    const st = this.state.get(c);
    if (st === undefined) return;
    this.look(c);
    this.watch(c.curctx, c);
    st.frames.push({ ctx: c.curctx, root: this.root(c, `intr_${frameName(name)}`), idle: false });
  }

  intrExit(c: Cpu): void {
    const st = this.state.get(c);
    if (st === undefined) return;
    this.look(c);
    if (st.frames.length > 1) st.frames.pop();
  }

  /** Looks at every CPU (at the end of the run, when all have reached the same time). */
  lookAll(): void {
    for (const c of this.state.keys()) this.look(c);
  }

  /** The stacks, one `frames count` line each, sorted. */
  lines(): string[] {
    // names that differ only in what frameName replaces make one stack
    const counts = new Map<string, number>();
    for (const r of this.roots.values())
      for (const n of r.all()) if (n.ns > 0) counts.set(n.key, (counts.get(n.key) ?? 0) + n.ns);
    return [...counts].map(([k, n]) => `${k} ${n}`).sort();
  }
}

/** Sums folded lines per first frame (the CPU). */
export function foldedPerCpu(lines: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines) {
    const sp = line.lastIndexOf(" ");
    const cpu = line.slice(0, line.indexOf(";"));
    out.set(cpu, (out.get(cpu) ?? 0) + Number(line.slice(sp + 1)));
  }
  return out;
}
