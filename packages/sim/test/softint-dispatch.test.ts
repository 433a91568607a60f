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
  softint_return,
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
        while (pending === 0) yield* softint_return("si");
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

  /*
   * A softint on CPU 0 whose handler blocks on "lock" before its 5 us of
   * work, triggered at 20 us from an interrupt while the kernel thread W
   * runs 100 us, wakes "lock", and runs 100 us more. Returns when each part
   * ran and the LWP the softint had pinned at each point.
   */
  function blockingSoftint(kernelPreemption: boolean) {
    const { sim, host } = machine(1, { kernelPreemption });
    const log: string[] = [];
    let pending = 0;
    const si = host.kthread_create({
      name: "softnet/0",
      pri: PRI_SOFTNET,
      cpu: 0,
      bound: true,
      nopreempt: true,
      softIpl: IPL_SOFTNET,
      *body(l) {
        for (;;) {
          while (pending === 0) yield* softint_return("si");
          pending--;
          log.push(`dispatch at ${sim.now} pinning ${l.switchto?.name ?? "none"}`);
          if (pending === 0 && log.length === 1) yield* sleep("lock");
          log.push(`handler at ${sim.now} pinning ${l.switchto?.name ?? "none"}`);
          yield* work(5_000);
        }
      },
    });
    const w = host.kthread_create({
      name: "W",
      pri: PRI_KTHREAD,
      cpu: 0,
      bound: true,
      *body() {
        yield* work(100_000);
        log.push(`W wakes lock at ${sim.now}`);
        yield* wakeup("lock");
        yield* work(100_000);
        log.push(`W done at ${sim.now}`);
      },
    });
    const intr = host.intr_establish({
      name: "nic",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        pending++;
        yield* wakeup("si");
      },
    });
    sim.at(20_000, () => intr.raise());
    return { sim, host, log, si, w, intr };
  }

  it("a blocking softint gives the CPU back to the LWP it pinned and runs on as a thread", () => {
    const { sim, log, si } = blockingSoftint(false);
    sim.run();
    const at = (i: number) => Number(log[i]!.split(" at ")[1]!.split(" ")[0]);
    expect(log[0]).toMatch(/^dispatch at 2\d{4} pinning W$/);
    // W got its remaining work back at once: it wakes the lock ~100 us after starting
    expect(log[1]).toMatch(/^W wakes lock/);
    expect(at(1)).toBeLessThan(110_000);
    // woken, the softint is a thread of priority 222 that cannot preempt W in
    // the kernel (no kernel preemption): it runs when W is done, pinning nobody
    expect(log[2]).toMatch(/^W done/);
    expect(log[3]).toMatch(/^handler at \d+ pinning none$/);
    expect(at(3)).toBeGreaterThanOrEqual(at(2));
    expect(si.softintBlocks).toBe(1);
    expect(si.softintBlocked).toBe(false);
  });

  it("a blocked softint preempts like any thread with kernel preemption, and fires as an interrupt again once it returned", () => {
    const { sim, log, si, intr } = blockingSoftint(true);
    sim.at(150_000, () => intr.raise());
    sim.run();
    const at = (i: number) => Number(log[i]!.split(" at ")[1]!.split(" ")[0]);
    expect(log[1]).toMatch(/^W wakes lock/);
    // woken at W's wakeup, it preempts W (put back on the run queue), runs, and W resumes
    expect(log[2]).toMatch(/^handler at \d+ pinning none$/);
    expect(at(2) - at(1)).toBeLessThan(2_000);
    // the second trigger interrupts W and pins it again
    expect(log[3]).toMatch(/^dispatch at 15\d{4} pinning W$/);
    expect(log[4]).toMatch(/^handler at 15\d{4} pinning W$/);
    expect(log[5]).toMatch(/^W done/);
    expect(si.softintBlocks).toBe(1);
  });

  it("softint_return is for softint LWPs only", () => {
    const { sim, host } = machine(1);
    host.kthread_create({
      name: "k",
      pri: PRI_KTHREAD,
      *body() {
        yield* softint_return("x");
      },
    });
    expect(() => sim.run()).toThrow(/softint_return: sut\/k is not a softint LWP/);
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
