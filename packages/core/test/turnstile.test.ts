import {
  curlwp,
  type Host,
  IPL_NONE,
  type KernelGen,
  nanotime,
  PRI_KERNEL,
  PRI_KTHREAD,
  PRI_SOFTCLOCK,
  PRI_SOFTNET,
  sleep,
  work,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  MUTEX_DEFAULT,
  mutex_enter,
  mutex_exit,
  mutex_init,
  RW_READER,
  RW_WRITER,
  rw_enter,
  rw_exit,
  rw_init,
} from "../src/index.js";
import { machine } from "./fixtures.js";

function thread(host: Host, name: string, pri: number, cpu: number, body: () => KernelGen) {
  return host.kthread_create({ name, pri, cpu, bound: true, body });
}

/**
 * On cpu0 a kernel thread takes a lock and is preempted by a busy thread at
 * softclock's priority; on cpu1 a thread at softnet's priority then wants
 * the lock. Returns when each got the CPU or the lock, and the owner's
 * priority while it held the lock and after it let go.
 */
function preemptedOwner(kind: "mutex" | "rwlock") {
  const { sim, host } = machine(2, { kernelPreemption: true });
  const mtx = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
  const rw = rw_init(host, "pcb_lock");
  const enter = () => (kind === "mutex" ? mutex_enter(mtx) : rw_enter(rw, RW_WRITER));
  const exit = () => (kind === "mutex" ? mutex_exit(mtx) : rw_exit(rw));
  const t = { ownerDone: -1, clockDone: -1, netGot: -1, priHolding: -1, priAfter: -1 };
  thread(host, "owner", PRI_KERNEL, 0, function* () {
    yield* enter();
    yield* work(200_000);
    t.priHolding = curlwp().pri;
    yield* exit();
    t.priAfter = curlwp().pri;
    t.ownerDone = nanotime();
  });
  thread(host, "softclock", PRI_SOFTCLOCK, 0, function* () {
    // runnable again at 10 us: preempts the owner, then runs 1 ms
    yield* sleep("later", 10_000);
    yield* work(1_000_000);
    t.clockDone = nanotime();
  });
  thread(host, "softnet", PRI_SOFTNET, 1, function* () {
    yield* work(50_000);
    yield* enter();
    t.netGot = nanotime();
    yield* exit();
  });
  sim.run();
  return t;
}

describe("priority lending (turnstile_lendpri)", () => {
  for (const kind of ["mutex", "rwlock"] as const) {
    it(`a ${kind} waiter lifts a preempted owner above softclock until it releases`, () => {
      const t = preemptedOwner(kind);
      // the owner runs its remaining ~190 us at softnet's priority, ahead of
      // the softclock-priority thread that preempted it, and softnet gets the lock
      expect(t.priHolding).toBe(PRI_SOFTNET);
      expect(t.netGot).toBeLessThan(400_000);
      expect(t.netGot).toBeLessThan(t.clockDone);
      // what was lent goes back with the release
      expect(t.priAfter).toBe(PRI_KERNEL);
      expect(t.ownerDone).toBeGreaterThan(t.clockDone);
    });
  }

  it("lends along a chain: the owner of the lock the owner waits for is lifted too", () => {
    const { sim, host } = machine(3, { kernelPreemption: true });
    const a = mutex_init(host, "a", MUTEX_DEFAULT, IPL_NONE);
    const b = mutex_init(host, "b", MUTEX_DEFAULT, IPL_NONE);
    let deepPri = -1;
    // cpu0: `deep` holds b and is preempted; cpu1: `mid` holds a, waits for b;
    // cpu2: `top` at softnet's priority waits for a
    thread(host, "deep", PRI_KERNEL, 0, function* () {
      yield* mutex_enter(b);
      yield* work(200_000);
      deepPri = curlwp().pri;
      yield* mutex_exit(b);
    });
    thread(host, "busy", PRI_KTHREAD, 0, function* () {
      yield* sleep("later", 10_000);
      yield* work(1_000_000);
    });
    thread(host, "mid", PRI_KERNEL, 1, function* () {
      yield* mutex_enter(a);
      yield* work(20_000);
      yield* mutex_enter(b);
      yield* mutex_exit(b);
      yield* mutex_exit(a);
    });
    thread(host, "top", PRI_SOFTNET, 2, function* () {
      yield* work(50_000);
      yield* mutex_enter(a);
      yield* mutex_exit(a);
    });
    sim.run();
    expect(deepPri).toBe(PRI_SOFTNET);
  });

  it("a borrower waiting on a turnstile moves up its queue: a lifted writer is the one handed the rwlock", () => {
    const { sim, host } = machine(5);
    const a = mutex_init(host, "a", MUTEX_DEFAULT, IPL_NONE);
    const b = rw_init(host, "b");
    const order: string[] = [];
    // cpu0: a reader holds b, asleep, until 100 us
    thread(host, "r0", PRI_KERNEL, 0, function* () {
      yield* rw_enter(b, RW_READER);
      yield* sleep("nap", 100_000);
      yield* rw_exit(b);
    });
    const writer = (name: string, cpu: number, at: number, holdA: boolean) =>
      thread(host, name, PRI_KERNEL, cpu, function* () {
        if (holdA) yield* mutex_enter(a);
        yield* work(at);
        yield* rw_enter(b, RW_WRITER);
        order.push(name);
        yield* rw_exit(b);
        if (holdA) yield* mutex_exit(a);
      });
    writer("other", 1, 10_000, false);
    writer("mid", 2, 20_000, true);
    // a reader waiting too, so the last reader out hands b to the first writer
    thread(host, "r2", PRI_KERNEL, 3, function* () {
      yield* work(30_000);
      yield* rw_enter(b, RW_READER);
      yield* rw_exit(b);
    });
    // softnet's priority, blocked on a, lends it to mid, queued on b behind other
    thread(host, "top", PRI_SOFTNET, 4, function* () {
      yield* work(40_000);
      yield* mutex_enter(a);
      yield* mutex_exit(a);
    });
    sim.run();
    expect(order).toEqual(["mid", "other"]);
  });
});
