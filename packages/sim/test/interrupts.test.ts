import { describe, expect, it } from "vitest";
import {
  after,
  done,
  IPL_HIGH,
  IPL_NONE,
  IPL_SCHED,
  IPL_VM,
  type KernelGen,
  type KernelOp,
  PRI_KTHREAD,
  paid,
  Simulation,
  splraise,
  splx,
  work,
} from "../src/index.js";
import { machine, testProfile } from "./fixtures.js";

describe("interrupts", () => {
  it("resumes the preempted context with exactly its remaining cycles", () => {
    const { sim, host } = machine(1);
    let doneAt = -1;
    let handlerAt = -1;
    const ih = host.intr_establish({
      name: "dev",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        handlerAt = sim.now;
        yield* work(200);
      },
    });
    host.kthread_create({
      name: "worker",
      pri: PRI_KTHREAD,
      *body() {
        yield* work(10_000);
        doneAt = sim.now;
      },
    });
    // switch-in 1000 ns, so the work runs 1000..11000; interrupt at 4000
    sim.at(4000, () => ih.raise());
    sim.run();
    // entry 100 + handler 200 + exit 50 = 350 ns inserted into the work
    expect(handlerAt).toBe(4100);
    expect(doneAt).toBe(11_000 + 350);
    const split = host.cpus[0]!.timeSplit();
    expect(split["intr:vm"]).toBe(350);
    expect(split.kernel).toBe(11_000);
  });

  it("runs a plain handler as a generator one: finished in place, its last operation handed back, or a slow path", () => {
    // three handlers of one shape each: 200 cycles, then 300, as a generator and as plain code
    const shapes: Record<string, () => KernelOp<void>> = {
      generator: function* (): KernelGen {
        yield* work(200);
        yield* work(300);
      },
      // the last operation is the machine's to consume, as a caller's yield* would
      lastOp: () => {
        const o = work(200);
        return paid(o) ? work(300) : after(o, () => work(300));
      },
      finished: () => {
        const o = work(200);
        if (!paid(o)) return after(o, () => work(300));
        const p = work(300);
        return paid(p) ? done(undefined) : p;
      },
    };
    const runs = [true, false].flatMap((inPlace) =>
      Object.entries(shapes).map(([name, handler]) => {
        const sim = new Simulation({ seed: 1, inPlace });
        const host = sim.addHost({ name: "sut", profile: testProfile(1) });
        const ih = host.intr_establish({ name: "dev", ipl: IPL_VM, cpu: 0, handler });
        let doneAt = -1;
        host.kthread_create({
          name: "worker",
          pri: PRI_KTHREAD,
          *body() {
            yield* work(10_000);
            doneAt = sim.now;
          },
        });
        for (const t of [4000, 6000]) sim.at(t, () => ih.raise());
        sim.run();
        return `${name} ${doneAt} ${JSON.stringify(host.cpus[0]!.timeSplit())}`;
      }),
    );
    // entry 100 + 500 + exit 50, twice, inserted into the work
    expect(runs[0]).toMatch(/^generator 12300 /);
    for (const r of runs)
      expect(r.slice(r.indexOf(" "))).toBe(runs[0]!.slice(runs[0]!.indexOf(" ")));
  });

  it("nests interrupts three deep, each above the one it preempts", () => {
    const { sim, host } = machine(1);
    const log: string[] = [];
    const mk = (name: string, ipl: 5 | 6 | 7, cycles: number) =>
      host.intr_establish({
        name,
        ipl,
        cpu: 0,
        *handler(): KernelGen {
          log.push(`${name}+${sim.now}`);
          yield* work(cycles);
          log.push(`${name}-${sim.now}`);
        },
      });
    const vm = mk("vm", IPL_VM, 1000);
    const sched = mk("sched", IPL_SCHED, 1000);
    const high = mk("high", IPL_HIGH, 1000);
    sim.at(0, () => vm.raise());
    sim.at(500, () => sched.raise());
    sim.at(1000, () => high.raise());
    sim.run();
    expect(log).toEqual([
      "vm+100",
      "sched+600",
      "high+1100",
      "high-2100",
      // sched had 600 ns of work left at 1000; high returns at 2150 (exit 50)
      "sched-2750",
      // vm had 600 ns left at 500; sched returns at 2800
      "vm-3400",
    ]);
  });

  it("keeps an interrupt at or below the IPL pending until splx lowers it", () => {
    const { sim, host } = machine(1);
    let handledAt = -1;
    let splxAt = -1;
    const ih = host.intr_establish({
      name: "dev",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        handledAt = sim.now;
      },
    });
    host.kthread_create({
      name: "t",
      pri: PRI_KTHREAD,
      *body() {
        const s = yield* splraise(IPL_VM);
        yield* work(5000);
        splxAt = sim.now;
        yield* splx(s);
        yield* work(100);
      },
    });
    sim.at(2000, () => ih.raise());
    sim.run();
    expect(splxAt).toBe(6000);
    expect(handledAt).toBe(6000 + 100);
    expect(host.cpus[0]!.ipl).toBe(IPL_NONE);
  });

  it("runs a raise that finds its source already pending only once", () => {
    const { sim, host } = machine(1);
    let runs = 0;
    const ih = host.intr_establish({
      name: "dev",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        runs++;
      },
    });
    host.kthread_create({
      name: "t",
      pri: PRI_KTHREAD,
      *body() {
        const s = yield* splraise(IPL_HIGH);
        yield* work(5000);
        yield* splx(s);
      },
    });
    sim.at(2000, () => ih.raise());
    sim.at(3000, () => ih.raise());
    sim.run();
    expect(runs).toBe(1);
    expect(ih.merged).toBe(1);
  });
});
