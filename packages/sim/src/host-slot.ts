/*
 * Per-host state of a kernel subsystem: what the C keeps in its globals,
 * one copy per simulated kernel. A slot is an index into the host's own
 * array, so code that finds its subsystem's state for every packet pays
 * one load, where a WeakMap keyed by the host costs a hash probe. The
 * state lives as long as its host, as a WeakMap's entry would.
 */

import type { Host } from "./host.js";

let slots = 0;

export class HostSlot<T> {
  private readonly i = slots++;

  get(host: Host): T | undefined {
    return host.slots[this.i] as T | undefined;
  }

  has(host: Host): boolean {
    return host.slots[this.i] !== undefined;
  }

  set(host: Host, state: T): void {
    host.slots[this.i] = state;
  }
}
