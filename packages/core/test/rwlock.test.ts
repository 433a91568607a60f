import {
  type Host,
  type KernelGen,
  type Lwp,
  nanotime,
  PRI_KERNEL,
  Simulation,
  work,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  kfn,
  type krw_t,
  type krwlock_t,
  ksleep,
  lockstat_enable,
  RW_READER,
  RW_WRITER,
  rw_enter,
  rw_exit,
  rw_init,
} from "../src/index.js";
import { machine, testProfile } from "./fixtures.js";

function thread(host: Host, name: string, cpu: number, body: () => KernelGen): Lwp {
  return host.kthread_create({ name, pri: PRI_KERNEL, cpu, bound: true, body });
}

/** Takes `rw` as `op` at `at`, logs when it has it, holds it `holdNs`, releases. */
function taker(
  host: Host,
  rw: krwlock_t,
  log: string[],
  name: string,
  cpu: number,
  op: krw_t,
  at: number,
  holdNs: number,
  afterExit?: () => void,
): Lwp {
  return thread(host, name, cpu, function* () {
    yield* work(at);
    yield* rw_enter(rw, op);
    log.push(name);
    yield* work(holdNs);
    yield* rw_exit(rw);
    afterExit?.();
  });
}

describe("rwlock release policy (kern_rwlock.c v1.66)", () => {
  it("a writer hands the lock to every waiting reader; the last reader hands it to the first writer while readers wait; a writer with only writers waiting wakes them all", () => {
    const { sim, host } = machine(6);
    const rw = rw_init(host, "pcb_lock");
    const log: string[] = [];
    // the first writer sleeps holding the lock, so everyone behind it blocks
    thread(host, "w0", 0, function* () {
      yield* rw_enter(rw, RW_WRITER);
      log.push("w0");
      yield* ksleep("nap", 50_000);
      yield* rw_exit(rw);
    });
    taker(host, rw, log, "r1", 1, RW_READER, 10_000, 10_000);
    const w1 = taker(host, rw, log, "w1", 2, RW_WRITER, 12_000, 10_000);
    let ownerAfterLastReader: Lwp | null = null;
    taker(host, rw, log, "r2", 3, RW_READER, 14_000, 20_000, () => {
      ownerAfterLastReader = rw.owner();
    });
    taker(host, rw, log, "w2", 4, RW_WRITER, 16_000, 10_000);
    // arrives while r1 and r2 read and writers wait: held off by RW_WRITE_WANTED
    taker(host, rw, log, "r3", 5, RW_READER, 60_000, 10_000);
    sim.run();
    // w0's exit: both readers at once, ahead of the writers that came between them
    expect(log).toEqual(["w0", "r1", "r2", "w1", "r3", "w2"]);
    // r2 left last with r3 waiting: w1 owned the lock before it even ran
    expect(ownerAfterLastReader).toBe(w1);
  });

  it("a newcomer sleeps, without spinning, once waiters are queued even though the writer runs", () => {
    const { sim, host } = machine(3);
    const ls = lockstat_enable(host);
    const rw = rw_init(host, "pcb_lock");
    const log: string[] = [];
    let newcomerSpinNs = -1;
    thread(host, "owner", 0, function* () {
      yield* rw_enter(rw, RW_WRITER);
      yield* ksleep("nap", 20_000);
      // back on its CPU, holding the lock, with a waiter queued
      yield* work(100_000);
      newcomerSpinNs = host.cpus[2]!.timeSplit().spin ?? 0;
      yield* rw_exit(rw);
    });
    taker(host, rw, log, "queued", 1, RW_WRITER, 5_000, 1_000);
    thread(
      host,
      "newcomer",
      2,
      kfn("in_pcblookup", function* () {
        yield* work(40_000);
        yield* rw_enter(rw, RW_WRITER);
        log.push("newcomer");
        yield* rw_exit(rw);
      }),
    );
    sim.run();
    expect(log).toEqual(["queued", "newcomer"]);
    // it arrived at 40 us and slept until the release at 120 us
    expect(newcomerSpinNs).toBe(0);
    const slept = ls
      .records()
      .find((r) => r.caller === "in_pcblookup" && r.event === "RW lock sleep");
    expect(slept!.timeNs).toBeGreaterThan(75_000);
  });

  it("rw_enter issues membar_acquire (a sync where the profile's membar_acquire is one)", () => {
    const cost = (acquire: string[]) => {
      const sim = new Simulation({ seed: 1 });
      const p = testProfile(1);
      const host = sim.addHost({
        name: "sut",
        profile: { ...p, membarOps: { ...p.membarOps!, acquire } },
      });
      const rw = rw_init(host, "l");
      let ns = -1;
      thread(host, "t", 0, function* () {
        const t0 = nanotime();
        yield* rw_enter(rw, RW_READER);
        ns = nanotime() - t0;
        yield* rw_exit(rw);
      });
      sim.run();
      return ns;
    };
    // the round profile's sync is 100 cycles at 1 GHz
    expect(cost(["sync"]) - cost([])).toBe(100);
  });
});
