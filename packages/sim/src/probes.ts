/*
 * The probe bus: every state change of the machine is published on a named,
 * typed probe (as DTrace's sdt probes in the kernel). Statistics and traces
 * subscribe; a probe nobody listens to costs one property test at the site,
 * because every site is written `if (p.on) p.emit(...)`, so no argument list
 * is even built.
 */

export type ProbeFn<A extends unknown[]> = (timeNs: number, ...args: A) => void;

export class Probe<A extends unknown[]> {
  /** True while anybody listens; emit sites test it first. */
  on = false;
  private fns: ProbeFn<A>[] = [];

  constructor(
    readonly name: string,
    private readonly clock: () => number,
  ) {}

  /** Calls `fn(timeNs, ...args)` on every emit; returns the unsubscribe. */
  subscribe(fn: ProbeFn<A>): () => void {
    this.fns = [...this.fns, fn];
    this.on = true;
    return () => {
      this.fns = this.fns.filter((f) => f !== fn);
      this.on = this.fns.length > 0;
    };
  }

  emit(...args: A): void {
    const t = this.clock();
    for (const fn of this.fns) fn(t, ...args);
  }
}

export class ProbeBus {
  private probes = new Map<string, Probe<unknown[]>>();

  constructor(private readonly clock: () => number) {}

  /** Creates the probe `name`; later packages define theirs the same way. */
  define<A extends unknown[]>(name: string): Probe<A> {
    if (this.probes.has(name)) {
      throw new Error(`probe ${name} is defined twice; give the second one another name`);
    }
    const p = new Probe<A>(name, this.clock);
    this.probes.set(name, p as unknown as Probe<unknown[]>);
    return p;
  }

  get(name: string): Probe<unknown[]> | undefined {
    return this.probes.get(name);
  }

  names(): string[] {
    return [...this.probes.keys()];
  }

  /** Subscribes one function to every probe defined so far: for traces and tests. */
  subscribeAll(fn: (name: string, timeNs: number, args: unknown[]) => void): () => void {
    const offs = [...this.probes.values()].map((p) =>
      p.subscribe((t: number, ...args: unknown[]) => fn(p.name, t, args)),
    );
    return () => {
      for (const off of offs) off();
    };
  }
}
