/*
 * Interrupt sources: a device line established at an IPL (intr_establish(9))
 * or a one-shot IPI. A device interrupt is level-triggered: raising it again
 * while it is pending on that CPU changes nothing (it runs once). An IPI is
 * never merged with another.
 */

import type { Cpu } from "./cpu.js";
import type { Host } from "./host.js";
import type { Ipl } from "./ipl.js";
import type { KernelOp } from "./ops.js";

/** An interrupt handler: a generator, or a plain kernel function (ops.ts) returning its operation. */
export type IntrHandler = (cpu: Cpu) => KernelOp<void>;

export class IntrSource {
  /** Per CPU: 1 while pending there (device sources only). */
  readonly pending: Uint8Array;
  /** Times raised, and times it found itself already pending. */
  raised = 0;
  merged = 0;

  constructor(
    readonly host: Host,
    readonly name: string,
    readonly ipl: Ipl,
    readonly handler: IntrHandler,
    /** The CPU it interrupts unless told otherwise (its affinity). */
    readonly cpu: number,
    readonly coalesce: boolean,
  ) {
    this.pending = new Uint8Array(host.cpus.length);
  }

  /** The device asserts its line now, on its CPU or on `cpu`. */
  raise(cpu: number = this.cpu): void {
    this.host.cpu(cpu).raise(this);
  }
}
