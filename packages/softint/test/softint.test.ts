import {
  IPL_HIGH,
  IPL_SOFTNET,
  IPL_VM,
  type KernelGen,
  type KernelOp,
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
function handler(log: Log, name: string, cycles: number, inner?: () => KernelOp<void>) {
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

  it("softint_disestablish waits for a handler running on another CPU with a cross-call at its level, then refuses schedules", () => {
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
    let ipis = 0;
    sim.probe.ipi_send.subscribe(() => ipis++);
    sim.run(100_000_000);
    expect(ended).toBeGreaterThan(25_000_000);
    expect(gone).toBeGreaterThanOrEqual(ended);
    // the cross-call's softint on CPU 1 ran right behind the handler (not at a later tick)
    expect(gone - ended).toBeLessThan(20_000);
    expect(ipis).toBe(1); // xc_barrier: one IPI, to CPU 1
    expect(() => softint_schedule(h)).toThrow(/disestablished/);
  });
});

describe("softint_disestablish's cross-call", () => {
  it("waits for a handler that blocked on another CPU and finishes as a thread, and for one queued behind it", async () => {
    const { sleep } = await import("@smpnet/sim");
    const { sim, host } = machine(2);
    const log: Log = [];
    const h = softint_establish(
      host,
      SOFTINT_NET | SOFTINT_MPSAFE,
      function* () {
        yield* sleep("disk", 3_000_000); // blocks 3 ms: the level stays busy on CPU 1
        yield* work(1_000_000);
        log.push(`h ends ${nanotime()}`);
      },
      null,
    );
    const other = softint_establish(
      host,
      SOFTINT_NET | SOFTINT_MPSAFE,
      function* () {
        yield* work(500_000);
        log.push(`other ends ${nanotime()}`);
      },
      null,
    );
    kthread(host, "t1", 1, function* () {
      yield* softint_schedule(h);
      yield* softint_schedule(other); // queued behind h on CPU 1's SOFTINT_NET
      yield* work(20_000_000);
    });
    kthread(host, "t0", 0, function* () {
      yield* work(1_000_000);
      yield* softint_disestablish(h);
      log.push(`gone ${nanotime()}`);
    });
    sim.run(50_000_000);
    const t = (p: string) =>
      Number(
        log
          .find((l) => l.startsWith(p))!
          .split(" ")
          .pop(),
      );
    expect(log.map((l) => l.split(" ").slice(0, -1).join(" "))).toEqual([
      "h ends",
      "other ends",
      "gone",
    ]);
    // woken at 3 ms, h runs on as a thread, after t1's 20 ms (no kernel preemption)
    expect(t("h ends")).toBeGreaterThan(21_000_000);
    // the no-op softint ran right behind them on CPU 1, not at a later tick
    expect(t("gone") - t("other ends")).toBeLessThan(20_000);
  });
});

describe("a handler that blocks", () => {
  /*
   * The issue's case: a SOFTINT_NET handler wants so_lock, which a thread
   * holds off its CPU. NetBSD (kern_softint.c, "'Fast' software
   * interrupts"; mi_switch's softint_block path): the softint blocks, the
   * LWP it pinned resumes with its remaining work, and the softint, once
   * woken, continues as an ordinary thread of priority PRI_SOFTNET.
   */
  async function soLockCase() {
    const { MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } = await import("@smpnet/core");
    const { IPL_NONE } = await import("@smpnet/sim");
    const { sim, host } = machine(2);
    const log: Log = [];
    const at = (what: string) => log.push(`${what} ${nanotime()}`);
    const so_lock = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
    const net = softint_establish(
      host,
      SOFTINT_NET | SOFTINT_MPSAFE,
      function* () {
        at("net wants so_lock");
        yield* mutex_enter(so_lock);
        at("net has so_lock");
        yield* mutex_exit(so_lock);
      },
      null,
    );
    const softnet = host.lwps.find((l) => l.name === "softnet/0")!;
    return { sim, host, log, at, so_lock, net, softnet, mutex_enter, mutex_exit };
  }

  const time = (log: Log, what: string) => {
    const line = log.find((l) => l.startsWith(what));
    if (line === undefined) throw new Error(`no "${what}" in ${log.join(", ")}`);
    return Number(line.slice(what.length + 1));
  };
  const events = (log: Log) => log.map((l) => l.replace(/ \d+$/, ""));

  it("becomes a thread: the interrupted kernel thread resumes with its remaining work, and the softint runs when it lets go of the CPU", async () => {
    const c = await soLockCase();
    kthread(c.host, "sosend", 0, function* () {
      yield* c.mutex_enter(c.so_lock);
      yield* softint_schedule(c.net); // the softint pins this thread at once, and blocks
      c.at("sosend resumes");
      yield* work(10_000);
      yield* c.mutex_exit(c.so_lock);
      c.at("sosend released");
      yield* work(20_000);
      c.at("sosend done");
    });
    c.sim.run(1_000_000);
    expect(events(c.log)).toEqual([
      "net wants so_lock",
      "sosend resumes",
      "sosend released",
      "sosend done",
      "net has so_lock",
    ]);
    // all of its remaining 30 us, uninterrupted
    const ran = time(c.log, "sosend done") - time(c.log, "sosend resumes");
    expect(ran).toBeGreaterThanOrEqual(30_000);
    expect(ran).toBeLessThan(30_500);
    // woken at the release, the softint (priority 222) did not preempt the
    // kernel thread (no kernel preemption); as a fast softint it would have
    expect(time(c.log, "net has so_lock")).toBeGreaterThanOrEqual(time(c.log, "sosend done"));
    expect(c.softnet.softintBlocks).toBe(1);
    expect(c.softnet.softintBlocked).toBe(false);
  });

  it("becomes a thread that preempts an interrupted user thread once woken, which then resumes with its remaining work", async () => {
    const { PRI_USER, sleep } = await import("@smpnet/sim");
    const c = await soLockCase();
    // the holder naps on CPU 1 with so_lock held, so the softint blocks rather than spins
    kthread(c.host, "sosend", 1, function* () {
      yield* c.mutex_enter(c.so_lock);
      yield* sleep("nap", 20_000);
      yield* c.mutex_exit(c.so_lock);
      c.at("sosend released");
    });
    c.host.kthread_create({
      name: "iperf3",
      pri: PRI_USER,
      cpu: 0,
      bound: true,
      user: true,
      *body() {
        yield* work(50_000);
        c.at("iperf3 done");
      },
    });
    const nic = c.host.intr_establish({
      name: "cnmac0",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        yield* softint_schedule(c.net);
      },
    });
    c.sim.at(5_000, () => nic.raise());
    c.sim.run(1_000_000);
    expect(events(c.log)).toEqual([
      "net wants so_lock",
      "sosend released",
      "net has so_lock",
      "iperf3 done",
    ]);
    // the user thread ran while the softint was blocked, and was preempted for it at the release
    expect(time(c.log, "net has so_lock") - time(c.log, "sosend released")).toBeLessThan(2_000);
    expect(time(c.log, "iperf3 done")).toBeGreaterThan(50_000);
    expect(time(c.log, "iperf3 done")).toBeLessThan(65_000); // its 50 us, the softint's two runs and four switches
    expect(c.softnet.softintBlocks).toBe(1);
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
