// Benchmarks of the lock code. Prints JSON lines: the simulator's speed on
// lock operations, then the lock-contention experiment on the er4 and x86
// profiles (devDependencies: profiles are data, used here only).

import { er4 } from "@smpnet/hw-octeon";
import { x86 } from "@smpnet/hw-x86";
import {
  atomic_add,
  IPL_NONE,
  IPL_VM,
  load,
  nanotime,
  PRI_KERNEL,
  PRI_KTHREAD,
  preempt,
  roundProfile,
  Simulation,
  store,
  work,
} from "@smpnet/sim";
import {
  CHURN_VARIANTS,
  epoch_alloc,
  ksleep,
  MUTEX_DEFAULT,
  MUTEX_SPIN,
  mutex_enter,
  mutex_exit,
  mutex_init,
  pcbChurn,
  pserialize_create,
  pserialize_perform,
  pserialize_perform_batched,
  Reclaimable,
  SMR_LAZY,
  smr_create,
} from "../dist/index.js";

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

/** Elements of the shared list every reader walks (a small pcb hash chain): estimate. */
const LIST_LENGTH = 8;
/** Bytes of one element (about an inpcb's hot part): estimate. */
const ELEMENT_BYTES = 256;
/** Cycles a reader spends on its own between passes: estimate. */
const READER_PRIVATE_CYCLES = 200;
/** Lookups per section for epoch-per-pass: the batch of 32, one pass through the stack. */
const LOOKUPS_PER_PASS = 32;

function scheme(host, name) {
  switch (name) {
    case "pserialize":
      return pserialize_create(host);
    case "epoch":
    case "epoch-per-pass":
      return epoch_alloc(host, "net_epoch");
    case "smr":
      return smr_create(host, "inp_smr");
    case "smr-lazy":
      // hz 1000: FreeBSD's default
      return smr_create(host, "inp_smr", SMR_LAZY, 1000);
  }
}

/**
 * Readers on every CPU look up a shared list; one writer (on cpu0, above
 * the readers) replaces an element every 10 us and reclaims the old one as
 * the scheme's users do: pserialize_perform then free; epoch_call; an smr
 * stamp (smr_advance) and a poll. 10 simulated ms.
 */
function reclamation(profile, name, cpus) {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: profile.name, profile: { ...profile, cpus } });
  const rc = scheme(host, name);
  const list = Array.from({ length: LIST_LENGTH }, (_, i) =>
    host.cacheline(`elem${i}`, new Reclaimable(`e${i}`, ELEMENT_BYTES)),
  );
  const perSection = name === "epoch-per-pass" ? LOOKUPS_PER_PASS : 1;
  for (let c = 0; c < cpus; c++) {
    host.kthread_create({
      name: `reader${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        for (;;) {
          yield* rc.enter();
          for (let k = 0; k < perSection; k++) {
            for (const e of list) yield* load(e);
          }
          yield* rc.exit();
          yield* work(READER_PRIVATE_CYCLES * perSection);
          yield* preempt();
        }
      },
    });
  }
  let updates = 0;
  let writeNs = 0;
  let n = 0;
  host.kthread_create({
    name: "writer",
    pri: PRI_KTHREAD,
    cpu: 0,
    bound: true,
    *body() {
      for (let due = 10_000; ; due += 10_000) {
        // a fixed 10 us cadence, whatever an update took
        const wait = due - nanotime();
        if (wait > 0) yield* ksleep("writer", wait);
        const t0 = nanotime();
        const slot = list[n++ % LIST_LENGTH];
        const old = slot.value;
        yield* store(slot, new Reclaimable(`e${n + LIST_LENGTH}`, ELEMENT_BYTES));
        old.linked = false;
        yield* rc.retire(old);
        if (name === "pserialize") yield* rc.synchronize();
        else yield* rc.poll();
        writeNs += nanotime() - t0;
        updates++;
      }
    },
  });
  const simNs = 10e6;
  sim.run(simNs);
  const st = rc.stats;
  // exactly the fields issue 6 names, in its order
  return {
    name: "reclamation",
    scheme: name,
    profile: profile.name,
    cpus,
    readNsPerSection: +st.readNsPerSection().toFixed(2),
    writeNsPerUpdate: Math.round(writeNs / updates),
    graceNsP50: Math.round(st.graceQuantileNs(0.5)),
    graceNsP99: Math.round(st.graceQuantileNs(0.99)),
    pendingBytesPeak: st.pendingBytesPeak,
  };
}

for (const p of profiles) {
  const counts = p.cpus >= 16 ? [1, 4, 16] : [1, 4];
  for (const s of ["pserialize", "epoch", "epoch-per-pass", "smr", "smr-lazy"]) {
    for (const cpus of counts) console.log(JSON.stringify(reclamation(p, s, cpus)));
  }
}

/*
 * Callers of pserialize_perform that arrive while one is in flight: every CPU
 * runs a writer that calls it about every 20 us (uniform 0-40 us of work in
 * between, from the run's generator), 10 simulated ms, under v1.23's rule
 * (one cross-call per caller) and under pserialize-batched (callers that
 * arrive during a cross-call share the next).
 */
function sharing(profile, variant, cpus) {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: profile.name, profile: { ...profile, cpus } });
  const psz = pserialize_create(host);
  const perform = variant === "batched" ? pserialize_perform_batched : pserialize_perform;
  const waits = [];
  for (let c = 0; c < cpus; c++) {
    host.kthread_create({
      name: `writer${c}`,
      pri: PRI_KTHREAD,
      cpu: c,
      bound: true,
      *body() {
        for (;;) {
          yield* work(Math.round(profile.clockGHz * sim.rng.int(0, 40_000)));
          const t0 = nanotime();
          yield* perform(psz);
          waits.push(nanotime() - t0);
        }
      },
    });
  }
  const simNs = 10e6;
  sim.run(simNs);
  waits.sort((a, b) => a - b);
  const q = (x) => waits[Math.min(waits.length - 1, Math.floor(x * waits.length))];
  return {
    name: "pserialize-sharing",
    variant: variant === "batched" ? "pserialize-batched" : "pserialize",
    profile: profile.name,
    cpus,
    performsPerSimSecond: Math.round(waits.length / (simNs / 1e9)),
    xcallsPerSimSecond: Math.round(psz.stats.xcalls / (simNs / 1e9)),
    waitNsP50: Math.round(q(0.5)),
    waitNsP99: Math.round(q(0.99)),
  };
}

for (const p of profiles) {
  for (const variant of ["v1.23", "batched"]) {
    console.log(JSON.stringify(sharing(p, variant, p.cpus >= 16 ? 16 : 4)));
  }
}

/*
 * pcb-churn: a reader on every CPU looks pcbs up as fast as it can (closed
 * loop: a lookup, 1,000 cycles of its own work, a preemption point); writers
 * on every CPU close and open connections at the churn rate through an
 * in4pcbpl pool_cache; under memory pressure the pagedaemon reclaims that
 * pool every CHURN_DRAIN_MS (default 5 ms, an estimate of heavy pressure).
 * CHURN_SIM_MS simulated ms per line (default 20: closed-loop readers make
 * a simulated second cost minutes per line on this machine).
 */
const churnNs = Number(process.env.CHURN_SIM_MS ?? 20) * 1e6;
const drainNs = Number(process.env.CHURN_DRAIN_MS ?? 5) * 1e6;
for (const [p, cpus] of [
  [er4, 4],
  [x86, 16],
]) {
  for (const variant of CHURN_VARIANTS) {
    for (const churnPerSecond of [1_000, 10_000, 100_000]) {
      const r = pcbChurn({
        variant,
        profile: p,
        cpus,
        churnPerSecond,
        simNs: churnNs,
        drainIntervalNs: drainNs,
      });
      if (r.useAfterReuse !== 0)
        throw new Error(`pcb-churn ${variant}: ${r.useAfterReuse} uses after reuse`);
      console.log(
        JSON.stringify({
          name: "pcb-churn",
          variant,
          profile: p.name,
          cpus,
          churnPerSecond,
          lookupsPerSimSecond: r.lookupsPerSimSecond,
          lookupsPerSimSecondPerCpu: r.lookupsPerSimSecondPerCpu,
          readNsPerSection: r.readNsPerSection,
          writerWaitNsP50: r.writerWaitNsP50,
          writerWaitNsP99: r.writerWaitNsP99,
          xcallsPerSimSecond: r.xcallsPerSimSecond,
          destructBatchesPerSimSecond: r.destructBatchesPerSimSecond,
          revalidationFailuresPerSimSecond: r.revalidationFailuresPerSimSecond,
          pendingBytesPeak: r.pendingBytesPeak,
          pendingBytesMean: r.pendingBytesMean,
        }),
      );
    }
  }
}
