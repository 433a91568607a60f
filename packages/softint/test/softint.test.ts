import {
  IPL_HIGH,
  IPL_SOFTNET,
  IPL_VM,
  type KernelGen,
  nanotime,
  PRI_USER,
  splraise,
  splx,
  work,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  SOFTINT_BIO,
  SOFTINT_CLOCK,
  SOFTINT_MPSAFE,
  SOFTINT_NET,
  SOFTINT_SERIAL,
  softint_disestablish,
  softint_establish,
  softint_init,
  softint_schedule,
  softintProbes,
} from "../src/index.js";
import { kthread, machine } from "./fixtures.js";

type Log = string[];

/** A handler that logs its start and end around `cycles` of work, and may run `inner` midway. */
function handler(log: Log, name: string, cycles: number, inner?: () => KernelGen) {
  return function* (): KernelGen {
    log.push(`${name}+`);
    yield* work(cycles / 2);
    if (inner) yield* inner();
    yield* work(cycles / 2);
    log.push(`${name}-`);
  };
}

describe("softint priorities", () => {
  /** A thread schedules a SOFTINT_NET handler that schedules a SOFTINT_SERIAL one midway. */
  function serialDuringNet(mips: boolean): Log {
    const { sim, host } = machine(1, { variant: "netbsd" }, { mips });
    const log: Log = [];
    const ser = softint_establish(
      host,
      SOFTINT_SERIAL | SOFTINT_MPSAFE,
      handler(log, "ser", 2_000),
      null,
    );
    const net = softint_establish(
      host,
      SOFTINT_NET | SOFTINT_MPSAFE,
      handler(log, "net", 20_000, () => softint_schedule(ser)),
      null,
    );
    kthread(host, "t", 0, function* () {
      yield* softint_schedule(net);
      log.push("thread");
    });
    sim.run(1_000_000);
    return log;
  }

  it("a SOFTINT_SERIAL scheduled during a SOFTINT_NET handler runs before the handler resumes", () => {
    expect(serialDuringNet(false)).toEqual(["net+", "ser+", "ser-", "net-", "thread"]);
  });

  it("on evbmips, where SOFTNET and SOFTSERIAL share a level, SERIAL waits for the NET handler", () => {
    expect(serialDuringNet(true)).toEqual(["net+", "net-", "ser+", "ser-", "thread"]);
  });

  it("SOFTINT_CLOCK waits behind SOFTINT_NET, and SOFTINT_BIO between them", () => {
    const { sim, host } = machine(1);
    const log: Log = [];
    const clk = softint_establish(
      host,
      SOFTINT_CLOCK | SOFTINT_MPSAFE,
      handler(log, "clk", 1_000),
      null,
    );
    const bio = softint_establish(
      host,
      SOFTINT_BIO | SOFTINT_MPSAFE,
      handler(log, "bio", 1_000),
      null,
    );
    const net = softint_establish(
      host,
      SOFTINT_NET | SOFTINT_MPSAFE,
      handler(log, "net", 50_000, function* () {
        yield* softint_schedule(clk);
        yield* softint_schedule(bio);
      }),
      null,
    );
    kthread(host, "t", 0, function* () {
      // from splhigh, as an interrupt would: both pend until splx
      const s = yield* splraise(IPL_HIGH);
      yield* softint_schedule(clk);
      yield* softint_schedule(net);
      yield* splx(s);
      log.push("thread");
    });
    sim.run(1_000_000);
    // clk was pending first, yet net, then bio, ran before it
    expect(log).toEqual(["net+", "net-", "bio+", "bio-", "clk+", "clk-", "thread"]);
  });

  it("every softint runs before any user thread gets the CPU back", () => {
    const { sim, host } = machine(1);
    const log: Log = [];
    const levels = [SOFTINT_CLOCK, SOFTINT_BIO, SOFTINT_NET, SOFTINT_SERIAL];
    const names = ["clk", "bio", "net", "ser"];
    const sihs = levels.map((l, i) =>
      softint_establish(host, l | SOFTINT_MPSAFE, handler(log, names[i]!, 10_000), null),
    );
    host.kthread_create({
      name: "user",
      pri: PRI_USER,
      user: true,
      *body() {
        for (;;) {
          yield* work(1_000);
          log.push("user");
        }
      },
    });
    const dev = host.intr_establish({
      name: "dev",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        for (const s of sihs) yield* softint_schedule(s);
      },
    });
    sim.at(50_500, () => dev.raise());
    sim.run(200_000);
    const first = log.indexOf("ser+");
    expect(first).toBeGreaterThan(40); // the user thread ran until the interrupt
    expect(log.slice(first, first + 8)).toEqual([
      "ser+",
      "ser-",
      "net+",
      "net-",
      "bio+",
      "bio-",
      "clk+",
      "clk-",
    ]);
    expect(log[first + 8]).toBe("user");
  });

  it("a softint scheduled at splsoftnet runs when splx drops the IPL, not before", () => {
    const { sim, host } = machine(1);
    const log: Log = [];
    const net = softint_establish(
      host,
      SOFTINT_NET | SOFTINT_MPSAFE,
      handler(log, "net", 1_000),
      null,
    );
    kthread(host, "t", 0, function* () {
      const s = yield* splraise(IPL_SOFTNET);
      yield* softint_schedule(net);
      yield* work(50_000);
      log.push("splx");
      yield* splx(s);
      log.push("after");
    });
    sim.run(1_000_000);
    expect(log).toEqual(["splx", "net+", "net-", "after"]);
  });

  it("coalesces schedules before a run into one run, and counts time per level", () => {
    const { sim, host } = machine(1);
    let runs = 0;
    const net = softint_establish(
      host,
      SOFTINT_NET | SOFTINT_MPSAFE,
      function* () {
        runs++;
        yield* work(7_000);
      },
      null,
    );
    const seen: string[] = [];
    softintProbes(sim).softint_schedule.subscribe((_t, _c, level, name) =>
      seen.push(`${level}${name}`),
    );
    softintProbes(sim).softint_run.subscribe((_t, _c, _level, name) => seen.push(`run ${name}`));
    const dev = host.intr_establish({
      name: "dev",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        for (let i = 0; i < 3; i++) yield* softint_schedule(net);
      },
    });
    sim.at(1_000_000, () => dev.raise());
    sim.run(2_000_000);
    expect(runs).toBe(1);
    expect(seen).toEqual([`${SOFTINT_NET}${net.name}`, `run ${net.name}`]);
    const split = host.cpus[0]!.timeSplit();
    expect(split.softnet).toBeGreaterThanOrEqual(7_000);
    expect(split.softnet).toBeLessThan(8_000);
    expect(split["intr:vm"]).toBeGreaterThan(0);
  });

  it("a handler without SOFTINT_MPSAFE runs under KERNEL_LOCK", async () => {
    const { kernel_lock_held } = await import("@smpnet/core");
    const { sim, host } = machine(1);
    const held: number[] = [];
    const h = softint_establish(
      host,
      SOFTINT_BIO,
      function* () {
        held.push(kernel_lock_held());
        yield* work(10);
      },
      null,
    );
    kthread(host, "t", 0, function* () {
      yield* softint_schedule(h);
    });
    sim.run(1_000_000);
    expect(held).toEqual([1]);
  });

  it("softint_disestablish waits until the handler has run on another CPU, then refuses schedules", () => {
    const { sim, host } = machine(2);
    let ended = -1;
    let gone = -1;
    const h = softint_establish(
      host,
      SOFTINT_NET | SOFTINT_MPSAFE,
      function* () {
        yield* work(25_000_000);
        ended = nanotime();
      },
      null,
    );
    kthread(host, "t1", 1, function* () {
      yield* softint_schedule(h); // runs on CPU 1 from now for 25 ms
    });
    kthread(host, "t0", 0, function* () {
      yield* work(5_000_000);
      yield* softint_disestablish(h);
      gone = nanotime();
    });
    sim.run(100_000_000);
    expect(ended).toBeGreaterThan(25_000_000);
    expect(gone).toBeGreaterThanOrEqual(ended);
    expect(gone - ended).toBeLessThan(10_100_000); // it looks once a tick
    expect(() => {
      const g = softint_schedule(h);
      g.next();
    }).toThrow(/disestablished/);
  });
});

describe("a handler that blocks", () => {
  it("gives the CPU back to the thread it pinned, which releases the mutex, and then finishes", async () => {
    const { MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } = await import("@smpnet/core");
    const { IPL_NONE } = await import("@smpnet/sim");
    const { sim, host } = machine(1);
    const log: Log = [];
    const so_lock = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
    const net = softint_establish(
      host,
      SOFTINT_NET | SOFTINT_MPSAFE,
      function* () {
        log.push("net wants so_lock");
        yield* mutex_enter(so_lock);
        log.push("net has so_lock");
        yield* mutex_exit(so_lock);
      },
      null,
    );
    kthread(host, "sosend", 0, function* () {
      yield* mutex_enter(so_lock);
      yield* softint_schedule(net); // the softint pins this thread at once
      log.push("sosend resumes");
      yield* work(10_000);
      yield* mutex_exit(so_lock);
      log.push("sosend released");
    });
    sim.run(1_000_000);
    expect(log).toEqual([
      "net wants so_lock",
      "sosend resumes",
      "net has so_lock",
      "sosend released",
    ]);
  });
});

describe("bad input", () => {
  it("names the field and the fix", () => {
    const { host } = machine(1);
    const f = function* () {};
    expect(() => softint_establish(host, 7, f, null)).toThrow(/level 7 does not exist/);
    expect(() => softint_establish(host, 0x400, f, null)).toThrow(/are not a level/);
    const mk = () => machine(1);
    expect(() => softint_init(mk().host, {})).toThrow(
      "softint.variant: missing; choose one of netbsd, budget, threaded",
    );
    expect(() => softint_init(mk().host, { variant: "linux" })).toThrow(
      /softint.variant: unknown variant "linux"/,
    );
    expect(() => softint_init(mk().host, { variant: "budget", budget: { items: 0 } })).toThrow(
      "softint.budget.items: expected a positive integer, got 0",
    );
    expect(() => softint_init(mk().host, { variant: "budget", budget: { timeNs: -1 } })).toThrow(
      "softint.budget.timeNs: expected a positive number of ns, got -1",
    );
    expect(() => softint_init(mk().host, { variant: "budget", budget: { itmes: 3 } })).toThrow(
      /softint.budget.itmes: unknown field/,
    );
    expect(() => softint_init(mk().host, { variant: "netbsd", budget: {} })).toThrow(
      /softint.budget: only the "budget" variant has a budget/,
    );
    expect(() => softint_init(mk().host, { variant: "threaded", threadPri: 200 })).toThrow(
      /softint.threadPri: expected a priority in 0..127 \(a user or kernel thread's\), got 200/,
    );
    expect(() => softint_init(mk().host, { variant: "netbsd", hz: 0 })).toThrow(/softint.hz/);
  });
});
