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

  emit(...args: A): void;
  // by arity, as `after` does: a rest array and a spread call on every packet
  // cost more than the listener (a trace, the vs-ns3 window sampler) it feeds
  emit(): void {
    const t = this.clock();
    const fns = this.fns as ((t: number, ...a: unknown[]) => void)[];
    // biome-ignore lint/complexity/noArguments: read without a rest array, which would allocate
    const a = arguments;
    switch (a.length) {
      case 0:
        for (let i = 0; i < fns.length; i++) fns[i]!(t);
        return;
      case 1:
        for (let i = 0; i < fns.length; i++) fns[i]!(t, a[0]);
        return;
      case 2:
        for (let i = 0; i < fns.length; i++) fns[i]!(t, a[0], a[1]);
        return;
      case 3:
        for (let i = 0; i < fns.length; i++) fns[i]!(t, a[0], a[1], a[2]);
        return;
      case 4:
        for (let i = 0; i < fns.length; i++) fns[i]!(t, a[0], a[1], a[2], a[3]);
        return;
      case 5:
        for (let i = 0; i < fns.length; i++) fns[i]!(t, a[0], a[1], a[2], a[3], a[4]);
        return;
      case 6:
        for (let i = 0; i < fns.length; i++) fns[i]!(t, a[0], a[1], a[2], a[3], a[4], a[5]);
        return;
      case 7:
        for (let i = 0; i < fns.length; i++) fns[i]!(t, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        return;
      case 8:
        for (let i = 0; i < fns.length; i++) {
          fns[i]!(t, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
        }
        return;
      default: {
        const rest = Array.from(a);
        for (let i = 0; i < fns.length; i++) fns[i]!(t, ...rest);
      }
    }
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
