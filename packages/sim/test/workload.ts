import {
  atomic_add,
  type Host,
  IPL_HIGH,
  IPL_SCHED,
  IPL_VM,
  ipi_send,
  PRI_KERNEL,
  PRI_USER,
  type Simulation,
  sleep,
  spin_until,
  splraise,
  splx,
  store,
  syscall_enter,
  syscall_exit,
  wakeup,
  work,
} from "../src/index.js";

/**
 * A random mix of everything the machine does, drawn from the simulation's
 * own generator: user and kernel threads, sleeps and wakeups, a shared
 * counter, spins, spl sections, device interrupts and IPIs.
 */
export function randomWorkload(sim: Simulation, host: Host, threads: number): void {
  const rng = sim.rng;
  const n = host.cpus.length;
  const counter = host.cacheline("counter", 0);
  const flag = host.cacheline("flag", 0);
  for (let i = 0; i < threads; i++) {
    const user = rng.int(0, 1) === 1;
    host.kthread_create({
      name: `t${i}`,
      pri: user ? PRI_USER + rng.int(0, 10) : PRI_KERNEL + rng.int(0, 5),
      cpu: rng.int(0, n - 1),
      bound: rng.int(0, 3) === 0,
      user,
      *body() {
        for (let k = 0; k < 40; k++) {
          if (user) syscall_enter();
          switch (rng.int(0, 6)) {
            case 0:
              yield* work(rng.int(0, 20_000));
              break;
            case 1:
              yield* atomic_add(counter, 1);
              break;
            case 2:
              yield* sleep(`chan${rng.int(0, 3)}`, rng.int(1, 50_000));
              break;
            case 3:
              yield* wakeup(`chan${rng.int(0, 3)}`);
              break;
            case 4: {
              const s = yield* splraise(IPL_VM);
              yield* work(rng.int(0, 3_000));
              yield* splx(s);
              break;
            }
            case 5:
              // the device sets the flag again
              yield* store(flag, 0);
              yield* spin_until([flag], () => flag.value !== 0, { iterCycles: 5, tag: flag });
              break;
            default:
              yield* ipi_send(
                rng.int(0, n - 1),
                function* () {
                  yield* work(300);
                },
                IPL_SCHED,
              );
          }
          if (user) syscall_exit();
          if (user) yield* work(rng.int(0, 10_000));
        }
      },
    });
  }
  const dev = host.intr_establish({
    name: "dev",
    ipl: IPL_HIGH,
    cpu: 0,
    *handler() {
      yield* work(rng.int(100, 2_000));
      yield* store(flag, 1);
      yield* wakeup(`chan${rng.int(0, 3)}`);
    },
  });
  const tick = () => {
    dev.raise(rng.int(0, n - 1));
    if (sim.now < 5_000_000) sim.after(rng.int(1_000, 40_000), tick);
  };
  sim.after(0, tick);
}
