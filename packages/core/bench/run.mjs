// Benchmarks of the lock code. Prints JSON lines: the simulator's speed on
// lock operations, then the lock-contention experiment on the er4 and x86
// profiles (devDependencies: profiles are data, used here only).

import { er4 } from "@smpnet/hw-octeon";
import { x86 } from "@smpnet/hw-x86";
import {
  atomic_add,
  IPL_NONE,
  IPL_VM,
  PRI_KERNEL,
  roundProfile,
  Simulation,
  work,
} from "@smpnet/sim";
import { MUTEX_DEFAULT, MUTEX_SPIN, mutex_enter, mutex_exit, mutex_init } from "../dist/index.js";

const testProfile = roundProfile(2);

/** Uncontended mutex_enter/mutex_exit pairs simulated per wall second. */
function uncontended(pairs) {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: "sut", profile: testProfile });
  const mtx = mutex_init(host, "m", MUTEX_DEFAULT, IPL_NONE);
  host.kthread_create({
    name: "t",
    pri: PRI_KERNEL,
    *body() {
      for (let i = 0; i < pairs; i++) {
        yield* mutex_enter(mtx);
        yield* mutex_exit(mtx);
      }
    },
  });
  const t0 = process.hrtime.bigint();
  sim.run();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name: "mutex-uncontended", opsPerSec: Math.round(pairs / s), pairs };
}

/**
 * N CPUs each loop: take the lock, update a shared counter, release, 200
 * cycles of private work; 10 simulated ms. `percpu`: a counter per CPU and
 * no lock, for contrast.
 */
function contention(profile, kind, cpus) {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: profile.name, profile: { ...profile, cpus } });
  const mtx = mutex_init(
    host,
    "counter_lock",
    kind === "spin" ? MUTEX_SPIN : MUTEX_DEFAULT,
    kind === "spin" ? IPL_VM : IPL_NONE,
  );
  const shared = host.cacheline("counter", 0);
  let ops = 0;
  for (let c = 0; c < cpus; c++) {
    const mine = host.cacheline(`counter${c}`, 0);
    host.kthread_create({
      name: `t${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        for (;;) {
          if (kind === "percpu") {
            yield* atomic_add(mine, 1);
          } else {
            yield* mutex_enter(mtx);
            yield* atomic_add(shared, 1);
            yield* mutex_exit(mtx);
          }
          ops++;
          yield* work(200);
        }
      },
    });
  }
  const simNs = 10e6;
  sim.run(simNs);
  const split = host.cpus.map((c) => c.timeSplit());
  const spin = split.reduce((s, x) => s + x.spin, 0) / (cpus * simNs);
  return {
    name: "lock-contention",
    profile: profile.name,
    kind,
    cpus,
    opsPerSimSecond: Math.round(ops / (simNs / 1e9)),
    spinFraction: +spin.toFixed(4),
  };
}

console.log(JSON.stringify(uncontended(1_000_000)));

const profiles = [er4, x86];
for (const p of profiles) {
  const counts = p.cpus >= 16 ? [1, 2, 4, 16] : [1, 2, 4];
  for (const kind of ["adaptive", "spin", "percpu"]) {
    for (const cpus of counts) console.log(JSON.stringify(contention(p, kind, cpus)));
  }
}
