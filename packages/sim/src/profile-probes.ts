/*
 * Small programs run on a profile: what a shared counter, a fence, an IPI
 * and an interrupt held off by the IPL cost on the simulated machine. The
 * hardware packages' tests check their profiles with them; a user can check
 * their own profile the same way.
 */
import { nanotime } from "./current.js";
import type { Ipl } from "./ipl.js";
import { atomic_add, ipi_send, membar, splraise, splx, work } from "./ops.js";
import { PRI_KERNEL } from "./priority.js";
import type { Profile } from "./profile.js";
import { Simulation } from "./simulation.js";

/** Nanoseconds per increment when `cpus` CPUs each add `adds` times to one counter. */
export function nsPerSharedAdd(p: Profile, cpus: number, adds = 500): number {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: p.name, profile: p });
  const counter = host.cacheline("counter", 0);
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (let c = 0; c < cpus; c++) {
    host.kthread_create({
      name: `adder${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        start = Math.min(start, nanotime());
        for (let i = 0; i < adds; i++) yield* atomic_add(counter, 1);
        end = Math.max(end, nanotime());
      },
    });
  }
  sim.run();
  if (counter.value !== cpus * adds) throw new Error(`lost an increment: ${String(counter.value)}`);
  return (end - start) / (cpus * adds);
}

/** Nanoseconds one `membar(kind)` takes; throws what the machine throws for an unknown kind. */
export function fenceNs(p: Profile, kind: string): number {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: p.name, profile: p });
  let ns = -1;
  host.kthread_create({
    name: "fencer",
    pri: PRI_KERNEL,
    *body() {
      const t0 = nanotime();
      yield* membar(kind);
      ns = nanotime() - t0;
    },
  });
  sim.run();
  return ns;
}

/** Nanoseconds from a CPU sending an IPI to the handler's first instruction on another. */
export function ipiNs(p: Profile, ipl: Ipl): number {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: p.name, profile: p });
  let sent = -1;
  let handled = -1;
  host.kthread_create({
    name: "sender",
    pri: PRI_KERNEL,
    cpu: 0,
    bound: true,
    *body() {
      sent = nanotime();
      yield* ipi_send(
        1,
        function* () {
          handled = nanotime();
        },
        ipl,
      );
    },
  });
  sim.run();
  return handled - sent;
}

/**
 * Whether an interrupt at `intrIpl`, raised while a thread on the same CPU
 * holds `heldIpl`, runs before the thread lowers its IPL again. The thread
 * raises its IPL once it is switched in and holds it for 100000 cycles; the
 * interrupt comes 5 us after the switch.
 */
export function preempts(p: Profile, heldIpl: Ipl, intrIpl: Ipl): boolean {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: p.name, profile: p });
  let ranAt = -1;
  let loweredAt = -1;
  const source = host.intr_establish({
    name: "device",
    ipl: intrIpl,
    cpu: 0,
    *handler() {
      ranAt = nanotime();
    },
  });
  host.kthread_create({
    name: "holder",
    pri: PRI_KERNEL,
    cpu: 0,
    bound: true,
    *body() {
      const s = yield* splraise(heldIpl);
      yield* work(100_000);
      loweredAt = nanotime();
      yield* splx(s);
    },
  });
  sim.at(p.costs.contextSwitchCycles / p.clockGHz + 5_000, () => source.raise());
  sim.run();
  if (ranAt < 0) throw new Error("the interrupt never ran");
  return ranAt < loweredAt;
}
