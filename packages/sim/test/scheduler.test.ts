import { describe, expect, it } from "vitest";
import {
  type Lwp,
  PRI_KERNEL,
  PRI_KTHREAD,
  PRI_USER,
  sleep,
  wakeup,
  wakeup_one,
  work,
} from "../src/index.js";
import { machine } from "./fixtures.js";

describe("scheduler", () => {
  it("lets a higher priority LWP preempt a running lower one at once", () => {
    const { sim, host } = machine(1, { kernelPreemption: true });
    let lowDone = -1;
    let highStart = -1;
    host.kthread_create({
      name: "low",
      pri: PRI_USER,
      user: true,
      *body() {
        yield* work(100_000);
        lowDone = sim.now;
      },
    });
    sim.at(10_000, () =>
      host.kthread_create({
        name: "high",
        pri: PRI_KTHREAD,
        *body() {
          highStart = sim.now;
          yield* work(5_000);
        },
      }),
    );
    sim.run();
    // the resched interrupt (entry 100 + exit 50), then one switch (1000 ns)
    expect(highStart).toBe(10_000 + 150 + 1_000);
    // `low` loses the interrupt, the switch, `high`'s work and a switch back
    expect(lowDone).toBe(1_000 + 100_000 + 150 + 1_000 + 5_000 + 1_000);
  });

  it("shares a CPU fairly among equals, a quantum at a time", () => {
    const quantumNs = 1_000_000;
    const { sim, host } = machine(1, { quantumNs });
    const ran = new Map<string, number>();
    const lwps: Lwp[] = [];
    for (const name of ["a", "b", "c"]) {
      lwps.push(
        host.kthread_create({
          name,
          pri: PRI_USER,
          user: true,
          *body() {
            for (;;) {
              yield* work(10_000);
              ran.set(name, (ran.get(name) ?? 0) + 10_000);
            }
          },
        }),
      );
    }
    sim.run(30 * quantumNs);
    const shares = [...ran.values()];
    expect(shares).toHaveLength(3);
    for (const s of shares) {
      // each within one quantum of a third of the time
      expect(Math.abs(s - 10 * quantumNs)).toBeLessThanOrEqual(quantumNs);
    }
    for (const l of lwps) expect(l.switches).toBeGreaterThanOrEqual(9);
  });

  it("never migrates a bound LWP, even when another CPU is idle", () => {
    const { sim, host } = machine(4);
    const seen = new Set<number>();
    const probeCpus: number[] = [];
    sim.probe.context_switch.subscribe((_t, cpu, _from, to) => {
      if (to.name.startsWith("bound")) probeCpus.push(cpu.index);
    });
    for (let i = 0; i < 3; i++) {
      host.kthread_create({
        name: `bound${i}`,
        pri: PRI_KERNEL,
        cpu: 2,
        bound: true,
        *body(l) {
          for (let k = 0; k < 50; k++) {
            seen.add(l.cpu.index);
            yield* work(20_000);
            yield* sleep(`tick${i}`, 5_000);
          }
        },
      });
    }
    sim.run();
    expect([...seen]).toEqual([2]);
    expect(new Set(probeCpus)).toEqual(new Set([2]));
    expect(probeCpus.length).toBeGreaterThan(100);
  });

  it("lets an idle CPU steal an unbound LWP waiting behind another", () => {
    const { sim, host } = machine(2);
    const cpuOf = new Map<string, number>();
    for (const name of ["x", "y"]) {
      host.kthread_create({
        name,
        pri: PRI_KERNEL,
        cpu: 0,
        *body(l) {
          yield* work(50_000);
          cpuOf.set(name, l.cpu.index);
        },
      });
    }
    sim.run();
    expect(new Set(cpuOf.values())).toEqual(new Set([0, 1]));
  });

  it("wakes the oldest sleeper first with wakeup_one and all with wakeup", () => {
    const { sim, host } = machine(1);
    const order: string[] = [];
    for (const name of ["s1", "s2", "s3"]) {
      host.kthread_create({
        name,
        pri: PRI_KERNEL,
        *body() {
          yield* sleep("chan");
          order.push(name);
        },
      });
    }
    const counts: number[] = [];
    host.kthread_create({
      name: "waker",
      pri: PRI_KERNEL,
      *body() {
        yield* work(10_000);
        counts.push(yield* wakeup_one("chan"));
        yield* work(10_000);
        counts.push(yield* wakeup("chan"));
        counts.push(yield* wakeup("chan"));
      },
    });
    sim.run();
    expect(counts).toEqual([1, 2, 0]);
    expect(order).toEqual(["s1", "s2", "s3"]);
  });

  it("returns false from a sleep whose timeout passes", () => {
    const { sim, host } = machine(1);
    const got: [boolean, number][] = [];
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        got.push([yield* sleep("never", 50_000), sim.now]);
      },
    });
    sim.run();
    // switch-in 1000, sleep at 1000, timeout at 51000, switch-in again 1000
    expect(got).toEqual([[false, 52_000]]);
  });

  it("ping-pongs two LWPs on two CPUs through sleep and wakeup", () => {
    const { sim, host } = machine(2);
    let turn = "ping";
    let rounds = 0;
    const player = (me: string, other: string, cpu: number) =>
      host.kthread_create({
        name: me,
        pri: PRI_KERNEL,
        cpu,
        bound: true,
        *body() {
          for (let i = 0; i < 100; i++) {
            // testing and sleeping happen in one step: no wakeup is lost
            while (turn !== me) yield* sleep(me);
            rounds++;
            turn = other;
            yield* wakeup(other);
          }
        },
      });
    player("ping", "pong", 0);
    player("pong", "ping", 1);
    sim.run();
    expect(rounds).toBe(200);
    // every round trip switches each LWP in once: 1000 ns of kernel time each
    const s0 = host.cpus[0]!.timeSplit();
    expect(s0.kernel).toBeGreaterThanOrEqual(100 * 1000);
  });
});
