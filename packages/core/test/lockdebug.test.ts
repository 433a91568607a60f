import { IPL_NONE, IPL_VM, type KernelGen, PRI_KERNEL, SimError, work } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  kfn,
  ksleep,
  type LockDebugKind,
  lockdebug_enable,
  MUTEX_DEFAULT,
  MUTEX_SPIN,
  mutex_destroy,
  mutex_enter,
  mutex_exit,
  mutex_init,
  mutex_spin_enter,
  mutex_spin_exit,
} from "../src/index.js";
import { machine } from "./fixtures.js";

type Program = (host: ReturnType<typeof machine>["host"]) => void;

function reportsOf(program: Program): LockDebugKind[] {
  const { sim, host } = machine(2);
  const dbg = lockdebug_enable(host);
  program(host);
  sim.run(10_000_000);
  return dbg.reports.map((r) => r.kind);
}

function spawn(
  host: ReturnType<typeof machine>["host"],
  name: string,
  cpu: number,
  body: () => KernelGen,
) {
  host.kthread_create({ name, pri: PRI_KERNEL, cpu, bound: true, body });
}

/** Each bug, written into a program, and the same program corrected. */
const cases: [LockDebugKind, Program, Program][] = [
  [
    "lock-order-reversal",
    (host) => {
      const a = mutex_init(host, "softnet_lock", MUTEX_DEFAULT, IPL_NONE);
      const b = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
      spawn(host, "t1", 0, function* () {
        yield* mutex_enter(a);
        yield* mutex_enter(b);
        yield* mutex_exit(b);
        yield* mutex_exit(a);
        yield* work(10_000);
        yield* mutex_enter(b);
        yield* mutex_enter(a);
        yield* mutex_exit(a);
        yield* mutex_exit(b);
      });
    },
    (host) => {
      const a = mutex_init(host, "softnet_lock", MUTEX_DEFAULT, IPL_NONE);
      const b = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
      spawn(host, "t1", 0, function* () {
        for (let i = 0; i < 2; i++) {
          yield* mutex_enter(a);
          yield* mutex_enter(b);
          yield* mutex_exit(b);
          yield* mutex_exit(a);
          yield* work(10_000);
        }
      });
    },
  ],
  [
    "sleep-with-spin-mutex",
    (host) => {
      const m = mutex_init(host, "sc_lock", MUTEX_SPIN, IPL_VM);
      spawn(host, "t1", 0, function* () {
        yield* mutex_spin_enter(m);
        yield* ksleep("wait", 1_000);
        yield* mutex_spin_exit(m);
      });
    },
    (host) => {
      const m = mutex_init(host, "sc_lock", MUTEX_SPIN, IPL_VM);
      spawn(host, "t1", 0, function* () {
        yield* mutex_spin_enter(m);
        yield* mutex_spin_exit(m);
        yield* ksleep("wait", 1_000);
      });
    },
  ],
  [
    "not-owner",
    (host) => {
      const m = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
      spawn(host, "t1", 0, function* () {
        yield* mutex_enter(m);
        yield* work(50_000);
        yield* mutex_exit(m);
      });
      spawn(host, "t2", 1, function* () {
        yield* work(10_000);
        yield* mutex_exit(m);
      });
    },
    (host) => {
      const m = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
      spawn(host, "t1", 0, function* () {
        yield* mutex_enter(m);
        yield* work(50_000);
        yield* mutex_exit(m);
      });
    },
  ],
  [
    "recursion",
    (host) => {
      const m = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
      spawn(host, "t1", 0, function* () {
        yield* mutex_enter(m);
        yield* mutex_enter(m);
      });
    },
    (host) => {
      const m = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
      spawn(host, "t1", 0, function* () {
        yield* mutex_enter(m);
        yield* mutex_exit(m);
        yield* mutex_enter(m);
        yield* mutex_exit(m);
      });
    },
  ],
  [
    "deadlock",
    (host) => {
      const a = mutex_init(host, "a", MUTEX_DEFAULT, IPL_NONE);
      const b = mutex_init(host, "b", MUTEX_DEFAULT, IPL_NONE);
      spawn(host, "t1", 0, function* () {
        yield* mutex_enter(a);
        yield* work(10_000);
        yield* mutex_enter(b);
      });
      spawn(host, "t2", 1, function* () {
        yield* mutex_enter(b);
        yield* work(10_000);
        yield* mutex_enter(a);
      });
    },
    (host) => {
      const a = mutex_init(host, "a", MUTEX_DEFAULT, IPL_NONE);
      const b = mutex_init(host, "b", MUTEX_DEFAULT, IPL_NONE);
      for (const [name, cpu] of [
        ["t1", 0],
        ["t2", 1],
      ] as const) {
        spawn(host, name, cpu, function* () {
          yield* mutex_enter(a);
          yield* work(10_000);
          yield* mutex_enter(b);
          yield* mutex_exit(b);
          yield* mutex_exit(a);
        });
      }
    },
  ],
  [
    "destroy-held",
    (host) => {
      const m = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
      spawn(host, "t1", 0, function* () {
        yield* mutex_enter(m);
        mutex_destroy(m);
      });
    },
    (host) => {
      const m = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
      spawn(host, "t1", 0, function* () {
        yield* mutex_enter(m);
        yield* mutex_exit(m);
        mutex_destroy(m);
      });
    },
  ],
];

describe("lockdebug", () => {
  for (const [kind, buggy, fixed] of cases) {
    it(`reports ${kind} in a program that has it, and nothing in the corrected program`, () => {
      expect(reportsOf(buggy)).toContain(kind);
      expect(reportsOf(fixed)).toEqual([]);
    });
  }

  it("reports with the simulated time and the kernel call path", () => {
    const { sim, host } = machine(2);
    const dbg = lockdebug_enable(host);
    const m = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
    const sosend = kfn("sosend", function* () {
      yield* mutex_enter(m);
      yield* mutex_enter(m);
    });
    spawn(
      host,
      "iperf3",
      0,
      kfn("sys_write", function* () {
        yield* work(3_000);
        yield* sosend();
      }),
    );
    sim.run(1_000_000);
    const r = dbg.reports[0]!;
    expect(r.kind).toBe("recursion");
    expect(r.callPath).toEqual(["sys_write", "sosend"]);
    expect(r.lock).toBe("so_lock");
    expect(r.timeNs).toBeGreaterThan(4_000);
    expect(r.lwp).toBe("sut/iperf3");
  });

  it("panics in panic mode, as LOCKDEBUG does", () => {
    const { sim, host } = machine(1);
    lockdebug_enable(host, { panic: true });
    const m = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
    spawn(host, "t", 0, function* () {
      yield* mutex_enter(m);
      yield* mutex_enter(m);
    });
    expect(() => sim.run()).toThrow(SimError);
  });
});
