/*
 * The simulation: one clock, one event queue, one seeded generator and one
 * probe bus, shared by every host in it.
 */

import type { Cpu } from "./cpu.js";
import { SimError } from "./errors.js";
import { type EventFn, type EventHandle, EventQueue } from "./event-queue.js";
import { Host, type HostOptions } from "./host.js";
import type { Ipl } from "./ipl.js";
import type { Lwp } from "./lwp.js";
import { ProbeBus } from "./probes.js";
import { Rng } from "./rng.js";
import { quantizeNs } from "./time.js";

export interface SimulationOptions {
  /** Seed of the run's random generator: same seed and inputs, same result to the bit. */
  seed: number;
  /**
   * Let kernel code carry out work and operations in place, without
   * suspending, where the result is the same (ops.ts); default true. False
   * sends every operation through the machine's loop: slower, for checking.
   */
  inPlace?: boolean;
}

function definePrebuiltProbes(bus: ProbeBus) {
  return {
    context_switch: bus.define<[cpu: Cpu, from: Lwp, to: Lwp]>("context_switch"),
    intr_entry: bus.define<[cpu: Cpu, ipl: Ipl, name: string]>("intr_entry"),
    intr_exit: bus.define<[cpu: Cpu, ipl: Ipl, name: string]>("intr_exit"),
    ipl_change: bus.define<[cpu: Cpu, from: Ipl, to: Ipl]>("ipl_change"),
    spin_begin: bus.define<[cpu: Cpu, tag: unknown]>("spin_begin"),
    spin_end: bus.define<[cpu: Cpu, tag: unknown, spunNs: number]>("spin_end"),
    sleep: bus.define<[cpu: Cpu, lwp: Lwp, wchan: unknown]>("sleep"),
    wakeup: bus.define<[waker: Cpu | null, lwp: Lwp, wchan: unknown]>("wakeup"),
    ipi_send: bus.define<[from: Cpu, to: Cpu]>("ipi_send"),
    lwp_exit: bus.define<[cpu: Cpu, lwp: Lwp]>("lwp_exit"),
    // emitted before the switch, so a listener still sees the mode the time so far ran in
    mode_change: bus.define<[cpu: Cpu, lwp: Lwp, user: boolean]>("mode_change"),
  };
}

export class Simulation {
  /** The simulated time, in nanoseconds. */
  now = 0;
  readonly queue = new EventQueue();
  readonly rng: Rng;
  readonly probes: ProbeBus;
  /** The machine's own probes; later packages define more on `probes`. */
  readonly probe: ReturnType<typeof definePrebuiltProbes>;
  readonly hosts: Host[] = [];
  /** True while run() dispatches events. */
  dispatching = false;
  private limit = Number.POSITIVE_INFINITY;
  /** Operations may be carried out in place (SimulationOptions.inPlace). */
  readonly inPlace: boolean;

  constructor(opts: SimulationOptions) {
    this.rng = new Rng(opts.seed);
    if (opts.inPlace !== undefined && typeof opts.inPlace !== "boolean") {
      throw new SimError(`Simulation: inPlace must be true or false, got ${String(opts.inPlace)}`);
    }
    this.inPlace = opts.inPlace ?? true;
    this.probes = new ProbeBus(() => this.now);
    this.probe = definePrebuiltProbes(this.probes);
  }

  addHost(opts: HostOptions): Host {
    if (this.hosts.some((h) => h.name === opts.name)) {
      throw new SimError(
        `addHost: a host named ${opts.name} exists already; give each host its own name`,
      );
    }
    const h = new Host(this, opts);
    this.hosts.push(h);
    return h;
  }

  /** Schedules `fn(arg)` at absolute time `t` (not in the past). */
  at(t: number, fn: EventFn, arg?: unknown): EventHandle {
    if (!(t >= this.now && t < Number.POSITIVE_INFINITY)) {
      throw new SimError(`at: time ${t} ns is not a finite time at or after now (${this.now} ns)`);
    }
    return this.queue.push(quantizeNs(t), fn, arg);
  }

  /** Schedules `fn(arg)` after `delayNs`. */
  after(delayNs: number, fn: EventFn, arg?: unknown): EventHandle {
    if (!(delayNs >= 0 && delayNs < Number.POSITIVE_INFINITY)) {
      throw new SimError(`after: delayNs must be a non-negative finite number, got ${delayNs}`);
    }
    return this.queue.push(this.now + quantizeNs(delayNs), fn, arg);
  }

  /** Cancels a scheduled event; false if it already ran. */
  cancel(h: EventHandle): boolean {
    return this.queue.cancel(h);
  }

  /** The earliest time anything else can happen: a CPU may run ahead to just before it. */
  horizon(): number {
    const t = this.queue.peekTimeCached();
    return Math.min(t, this.limit);
  }

  /**
   * Runs events in time order (ties in the order they were scheduled) until
   * none is left or the next is after `untilNs`; then the clock reads
   * `untilNs` if one was given. Returns the time reached.
   */
  run(untilNs = Number.POSITIVE_INFINITY): number {
    if (untilNs < this.now || Number.isNaN(untilNs)) {
      throw new SimError(`run: untilNs ${untilNs} is before now (${this.now} ns)`);
    }
    if (this.dispatching) throw new SimError("run: called from inside the simulation");
    this.limit = untilNs;
    this.dispatching = true;
    try {
      const q = this.queue;
      for (;;) {
        const t = q.peekTime();
        if (t > untilNs || t === Number.POSITIVE_INFINITY) break;
        this.now = t;
        q.popAndRun();
      }
    } finally {
      this.dispatching = false;
      this.limit = Number.POSITIVE_INFINITY;
    }
    if (untilNs !== Number.POSITIVE_INFINITY) this.now = untilNs;
    return this.now;
  }
}
