/*
 * Folded stacks of where each CPU's time went, by kernel function, in the
 * form flamegraph.pl and speedscope read: `cpu0;softint_net;ip_input;
 * tcp_input;mutex_enter 1234`, the count in nanoseconds.
 *
 * A stack is the CPU, the context (the LWP, `softint_<level>` for a softint
 * LWP, `intr_<source>` above it for an interrupt) and the call path that
 * kernel functions push on entry (@smpnet/core's kfn). The sampler looks at
 * a CPU at each probe it emits (context switch, interrupt entry and exit,
 * spin begin and end, and the packet, callout and counter probes inside
 * kernel functions); the CPU's busy time since its last look goes to the
 * stack it sees then. So the stacks of a CPU add up to its busy time in the
 * accounting exactly (rounded to whole ns as a running total); a function's
 * entry or return between two looks is placed at the next look.
 *
 * It schedules no events of its own: a sampling clock would change how the
 * machine batches work into events, and with it the run (in the fixture of
 * this package's tests a 10 µs clock moved a user thread's time by 13%).
 */

import type { Cpu, Lwp } from "@smpnet/sim";
import { cpuLabel, frameName, lwpLabel } from "./labels.js";

interface Frame {
  ctx: Cpu["curctx"];
  label: string;
}

interface CpuState {
  prefix: string;
  frames: Frame[];
  lastBusyNs: number;
}

function busyNs(c: Cpu): number {
  const split = c.timeSplit();
  let sum = 0;
  for (const k in split) if (k !== "idle") sum += split[k]!;
  return sum;
}

export class StackSampler {
  private readonly state = new Map<Cpu, CpuState>();
  readonly counts = new Map<string, number>();

  constructor(cpus: readonly Cpu[], withHost: boolean) {
    for (const c of cpus) {
      this.state.set(c, {
        prefix: cpuLabel(c, withHost),
        frames: [this.lwpFrame(c, c.curlwp)],
        lastBusyNs: busyNs(c),
      });
    }
  }

  private lwpFrame(c: Cpu, l: Lwp): Frame {
    return { ctx: l.ctx, label: l === c.idlelwp ? "idle" : lwpLabel(l) };
  }

  /** Gives `c`'s busy time since its last look to the stack running until now. */
  look(c: Cpu): void {
    const st = this.state.get(c);
    if (st === undefined) return;
    const now = busyNs(c);
    const ns = Math.round(now) - Math.round(st.lastBusyNs);
    st.lastBusyNs = now;
    if (ns === 0) return;
    const top = st.frames[st.frames.length - 1]!;
    const path = top.ctx.callPath.map(frameName);
    const lwp = top.ctx.lwp;
    const user = lwp?.userMode && st.frames.length === 1 ? ["user"] : [];
    const key = [st.prefix, top.label, ...path, ...user].join(";");
    this.counts.set(key, (this.counts.get(key) ?? 0) + ns);
  }

  contextSwitch(c: Cpu, to: Lwp): void {
    this.look(c);
    const st = this.state.get(c);
    if (st !== undefined) st.frames = [this.lwpFrame(c, to)];
  }

  /** Called after the machine pushed the interrupt frame: the time before it was the frame below's. */
  intrEntry(c: Cpu, name: string): void {
    const st = this.state.get(c);
    if (st === undefined) return;
    this.look(c);
    st.frames.push({ ctx: c.curctx, label: `intr_${frameName(name)}` });
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
    return [...this.counts.entries()]
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .sort();
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
