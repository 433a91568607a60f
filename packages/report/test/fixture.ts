/*
 * Real runs for the report's tests, on @smpnet/sim alone (the architecture
 * lets report depend on nothing else): a NIC interrupt on cpu0 queues
 * packets, a softnet thread on cpu0 runs ip_input -> tcp_input and appends
 * to a socket buffer under a spin lock, a user thread on cpu1 reads them
 * under the same lock, and a clock thread fires callouts and, once, lets
 * the watchdog expire. The probes of softint and netinet that the Collector
 * consumes are defined here as those packages define them, and emitted
 * where they emit them.
 */

import {
  ACCT_SOFTINT,
  atomic_cas,
  type Cpu,
  callpath,
  IPL_VM,
  type KernelGen,
  PRI_KTHREAD,
  PRI_USER,
  roundProfile,
  Simulation,
  sleep,
  spin_until,
  store,
  syscall_enter,
  syscall_exit,
  wakeup,
  work,
} from "@smpnet/sim";
import {
  Collector,
  type CollectorOptions,
  type LockStatRow,
  type RunResult,
} from "../src/index.js";

function* named<T>(name: string, body: KernelGen<T>): KernelGen<T> {
  const path = callpath();
  path.push(name);
  try {
    return yield* body;
  } finally {
    path.pop();
  }
}

export interface FixtureRun {
  sim: Simulation;
  result: RunResult;
}

export function fixtureRun(
  seed = 1,
  ms = 5,
  opts: CollectorOptions = {},
  collect = true,
): FixtureRun {
  const sim = new Simulation({ seed });
  const host = sim.addHost({ name: "dut", profile: roundProfile(2) });
  const bus = sim.probes;
  const nic_rx = bus.define<[Cpu, number, number]>("net_nic_rx");
  const ip_input = bus.define<[Cpu, number]>("net_ip_input");
  const user_read = bus.define<[Cpu, number, number]>("net_user_read");
  const tcp_output =
    bus.define<[Cpu, number, number, number, number, number, number]>("net_tcp_output");
  const callout_fire = bus.define<[Cpu, string, number, number]>("callout_fire");
  const wdog_expire = bus.define<[string, number]>("wdog_expire");
  const sb_bytes = bus.define<[Cpu, number, string, number]>("sb_bytes");
  const reclaim_pending = bus.define<[unknown, string, number]>("reclaim_pending");
  const reclaim_grace = bus.define<[unknown, string, number]>("reclaim_grace");

  const so_lock = { name: "so_lock", line: host.cacheline("so_lock", 0) };
  const lockstat = new Map<string, LockStatRow>();
  const pktq: number[] = [];
  const so_rcv: number[] = [];
  let nextId = 1;
  let cwnd = 14_480;
  let pending = 0;

  function* mutex_enter(): KernelGen<void> {
    yield* named(
      "mutex_enter",
      (function* () {
        while ((yield* atomic_cas(so_lock.line, 0, 1)) !== 0) {
          yield* spin_until([so_lock.line], () => so_lock.line.value === 0, {
            iterCycles: 20,
            tag: so_lock,
          });
        }
      })(),
    );
  }
  const mutex_exit = () => store(so_lock.line, 0);

  const cnmac0 = host.intr_establish({
    name: "cnmac0",
    ipl: IPL_VM,
    cpu: 0,
    *handler(cpu: Cpu) {
      yield* work(800);
      for (let i = 0; i < 2; i++) {
        const id = nextId++;
        nic_rx.emit(cpu, id, 1448);
        pktq.push(id);
      }
      yield* wakeup("pktq");
    },
  });
  // a frame every 20-24 µs, the gap from the run's generator
  const tick = () => {
    cnmac0.raise();
    sim.after(20_000 + sim.rng.int(0, 4_000), tick);
  };
  sim.after(20_000, tick);

  host.kthread_create({
    name: "softnet/0",
    pri: PRI_KTHREAD + 10,
    cpu: 0,
    bound: true,
    acct: ACCT_SOFTINT + 2, // SOFTINT_NET
    *body() {
      const cpu = host.cpus[0]!;
      for (;;) {
        while (pktq.length === 0) yield* sleep("pktq");
        const id = pktq.shift()!;
        yield* named(
          "ip_input",
          (function* () {
            ip_input.emit(cpu, id);
            yield* work(1_500);
            yield* named(
              "tcp_input",
              (function* () {
                yield* work(2_000);
                yield* mutex_enter();
                yield* work(600);
                so_rcv.push(id);
                sb_bytes.emit(cpu, 1, "so_rcv", so_rcv.length * 1448);
                yield* mutex_exit();
                cwnd += 1448;
                tcp_output.emit(cpu, id, 0, 0, 0x10, 0, cwnd);
              })(),
            );
          })(),
        );
        yield* wakeup("so_rcv");
      }
    },
  });

  host.kthread_create({
    name: "iperf3",
    pri: PRI_USER + 20,
    cpu: 1,
    bound: true,
    user: true,
    *body() {
      const cpu = host.cpus[1]!;
      for (;;) {
        yield* work(3_000); // user time between reads
        syscall_enter();
        yield* named(
          "soreceive",
          (function* () {
            while (so_rcv.length === 0) yield* sleep("so_rcv");
            yield* mutex_enter();
            yield* work(5_000);
            for (const id of so_rcv.splice(0)) user_read.emit(cpu, id, 1448);
            sb_bytes.emit(cpu, 1, "so_rcv", 0);
            yield* mutex_exit();
            pending += 256;
            reclaim_pending.emit(host, "epoch", pending);
          })(),
        );
        syscall_exit();
      }
    },
  });

  host.kthread_create({
    name: "softclock/1",
    pri: PRI_KTHREAD,
    cpu: 1,
    bound: true,
    *body() {
      const cpu = host.cpus[1]!;
      let due = 1_000_000;
      for (let n = 0; ; n++) {
        yield* sleep("never", due - sim.now);
        yield* work(400);
        callout_fire.emit(cpu, "tcp_timer_delack", due, sim.now - due);
        reclaim_grace.emit(host, "epoch", 30_000 + 1_000 * n);
        pending = 0;
        reclaim_pending.emit(host, "epoch", pending);
        if (n === 2) wdog_expire.emit("wdog0", 2_500_000);
        due += 1_000_000;
      }
    },
  });

  // what @smpnet/core's LockStat records for a spin: the lock, and who called mutex_enter
  sim.probe.spin_end.subscribe((_t, cpu, tag, ns) => {
    const path = cpu.curctx.callPath;
    const caller = path[path.length - 2] ?? "?";
    const key = `${caller}`;
    const r = lockstat.get(key) ?? {
      event: "Spin mutex spin",
      lock: (tag as typeof so_lock).name,
      caller,
      count: 0,
      timeNs: 0,
    };
    r.count++;
    r.timeNs += ns;
    lockstat.set(key, r);
  });
  const collector = collect ? new Collector(sim, opts) : null;
  sim.run(ms * 1e6);
  const spins = [...lockstat.values()];
  const result = collector?.finish({
    kernel: { name: `fixture seed ${seed}`, profile: "round(2)" },
    workload: { name: "fixture", args: [`${ms}ms`] },
    seed,
    output: { packets: nextId - 1 },
    lockstat: spins,
    reclamation: { scheme: "epoch" },
    integrity: { ok: true },
    stats: { tcpstat: { rcvpack: nextId - 1 }, udpstat: {}, ipstat: { total: nextId - 1 } },
  });
  return { sim, result: result! };
}
