import { describe, expect, it } from "vitest";
import {
  IPL_NONE,
  IPL_SOFTNET,
  IPL_VM,
  PRI_KTHREAD,
  PRI_SOFTNET,
  preempt,
  SimError,
  sleep,
  splraise,
  splx,
  wakeup,
  work,
} from "../src/index.js";
import { machine } from "./fixtures.js";

/** A softint LWP of IPL_SOFTNET on CPU 0 that does `cycles` of work per wakeup. */
function softnet(host: ReturnType<typeof machine>["host"], cycles: number, log: string[]) {
  let pending = 0;
  const l = host.kthread_create({
    name: "softnet/0",
    pri: PRI_SOFTNET,
    cpu: 0,
    bound: true,
    nopreempt: true,
    softIpl: IPL_SOFTNET,
    *body() {
      for (;;) {
        while (pending === 0) yield* sleep("si");
        pending--;
        log.push(`softnet at ${host.sim.now}`);
        yield* work(cycles);
      }
    },
  });
  return { l, trigger: () => pending++ };
}

describe("fast softint dispatch (softIpl LWPs)", () => {
  it("interrupts a kernel thread that may not be preempted, which resumes after it", () => {
    const { sim, host } = machine(1);
    const log: string[] = [];
    const si = softnet(host, 5_000, log);
    let done = -1;
    host.kthread_create({
      name: "worker",
      pri: PRI_KTHREAD,
      cpu: 0,
      bound: true,
      *body() {
        yield* work(100_000);
        done = sim.now;
      },
    });
    const intr = host.intr_establish({
      name: "nic",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        si.trigger();
        yield* wakeup("si");
      },
    });
    sim.at(20_000, () => intr.raise());
    sim.run();
    // the softint ran inside the interrupt's return, not at the thread's end
    expect(log).toHaveLength(1);
    const at = Number(log[0]!.split(" ")[2]);
    expect(at).toBeGreaterThan(20_000);
    expect(at).toBeLessThan(25_000);
    expect(si.l.switchto).toBeNull();
    // the worker lost the softint's work and two switches, and finished
    expect(done).toBeGreaterThan(100_000 + 5_000);
    expect(host.cpus[0]!.timeSplit().kernel).toBeGreaterThan(100_000);
  });

  it("waits while the IPL is at its level and runs when splx drops it", () => {
    const { sim, host } = machine(1);
    const log: string[] = [];
    const si = softnet(host, 1_000, log);
    let dropped = -1;
    host.kthread_create({
      name: "worker",
      pri: PRI_KTHREAD,
      cpu: 0,
      bound: true,
      *body() {
        const s = yield* splraise(IPL_SOFTNET);
        si.trigger();
        yield* wakeup("si");
        yield* work(10_000);
        dropped = sim.now;
        yield* splx(s);
        yield* work(10_000);
      },
    });
    sim.run();
    expect(log).toHaveLength(1);
    expect(Number(log[0]!.split(" ")[2])).toBeGreaterThanOrEqual(dropped);
    expect(s0(host)).toBe(IPL_NONE);
  });

  it("rejects a softint LWP that is not bound or not at a soft level", () => {
    const { host } = machine(1);
    const body = function* () {};
    expect(() =>
      host.kthread_create({ name: "x", pri: PRI_SOFTNET, softIpl: IPL_SOFTNET, body }),
    ).toThrow(/must be bound/);
    expect(() =>
      host.kthread_create({ name: "x", pri: PRI_SOFTNET, bound: true, softIpl: IPL_VM, body }),
    ).toThrow(SimError);
  });

  it("ends time slices at sched_tick on hosts with hardclockSlices, not by a timer", () => {
    const run = (hardclockSlices: boolean, tickAt: number | null) => {
      const { sim, host } = machine(1, { hardclockSlices, quantumNs: 1_000 });
      const ran: string[] = [];
      for (const name of ["a", "b"]) {
        host.kthread_create({
          name,
          pri: PRI_KTHREAD,
          cpu: 0,
          bound: true,
          *body() {
            for (let i = 0; i < 4; i++) {
              yield* work(10_000);
              ran.push(name);
              yield* preempt();
            }
          },
        });
      }
      const clock = host.intr_establish({
        name: "clock",
        ipl: IPL_VM,
        cpu: 0,
        *handler(cpu) {
          cpu.sched_tick();
        },
      });
      if (tickAt !== null) sim.at(tickAt, () => clock.raise());
      sim.run();
      return ran.join("");
    };
    // the machine's own 1 us quantum rotates them at every preemption point
    expect(run(false, null)).toBe("abababab");
    // with hardclockSlices only the clock ends a slice: here once, at 25 us
    expect(run(true, null)).toBe("aaaabbbb");
    expect(run(true, 25_000)).toBe("aaabbbba");
  });
});

function s0(host: ReturnType<typeof machine>["host"]) {
  return host.cpus[0]!.ipl;
}
