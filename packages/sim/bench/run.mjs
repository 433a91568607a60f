// Benchmarks of the machine. Prints one JSON line per benchmark ({name, opsPerSec, ...})
// and, when shared/bench/ref-heap.js is beside the repository, the reference heap's speed
// measured in the same run with each benchmark's ratio to it (the floors are ratios).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  EventQueue,
  IPL_VM,
  PRI_KERNEL,
  roundProfile,
  Simulation,
  sleep,
  wakeup,
  work,
} from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const profile = roundProfile(2);

function timed(fn) {
  const t0 = process.hrtime.bigint();
  const count = fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { count, s };
}

/*
 * Schedule and dispatch of plain events, 64 pending, each handler scheduling
 * the next: the reference heap's workload, with its delay sequence (1 + the
 * low 10 bits of the same LCG), so the ratio compares queues, not workloads.
 */
let queue = null;
let clock = 0;
let left = 0;
let lcg = 12345;
function fire() {
  if (--left > 0) {
    lcg = (lcg * 1103515245 + 12345) >>> 0;
    queue.push(clock + 1 + (lcg & 1023), fire, null);
  }
}
function events(n) {
  queue = new EventQueue();
  clock = 0;
  left = n;
  for (let i = 0; i < 64; i++) queue.push(i, fire, null);
  while (queue.size > 0) {
    clock = queue.peekTime();
    queue.popAndRun();
  }
  return n;
}

/** Two LWPs on two CPUs ping-ponging through sleep and wakeup; counts context switches. */
function switches(rounds) {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: "sut", profile });
  let turn = 0;
  const lwps = [0, 1].map((me) =>
    host.kthread_create({
      name: `p${me}`,
      pri: PRI_KERNEL,
      cpu: me,
      bound: true,
      *body() {
        for (let i = 0; i < rounds; i++) {
          while (turn !== me) yield* sleep(lwps[me]);
          turn = 1 - me;
          yield* wakeup(lwps[1 - me]);
        }
      },
    }),
  );
  sim.run();
  return lwps[0].switches + lwps[1].switches;
}

/**
 * One CPU doing work under a 100 kHz device interrupt; counts the kernel
 * code's operations, works included (most of which no longer suspend the
 * generator: ops.ts). `probed`: a listener on every probe of the machine.
 */
function interruptStorm(simNs, probed) {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: "sut", profile: { ...profile, cpus: 1 } });
  let seen = 0;
  let issued = 0;
  if (probed) sim.probes.subscribeAll(() => seen++);
  host.kthread_create({
    name: "worker",
    pri: PRI_KERNEL,
    *body() {
      for (;;) {
        yield* work(50);
        issued++;
      }
    },
  });
  const dev = host.intr_establish({
    name: "nic",
    ipl: IPL_VM,
    cpu: 0,
    *handler() {
      yield* work(2000);
      issued++;
    },
  });
  const tick = () => {
    dev.raise();
    sim.after(10_000, tick);
  };
  sim.after(10_000, tick);
  sim.run(simNs);
  return issued;
}

/** A probe site nobody listens to, as the machine writes them: `if (p.on) p.emit(...)`. */
function probeSiteOff(n) {
  const sim = new Simulation({ seed: 1 });
  const p = sim.probe.context_switch;
  let x = 0;
  for (let i = 0; i < n; i++) {
    if (p.on) p.emit(null, null, null);
    x += i;
  }
  return x >= 0 ? n : 0;
}

function measure(name, fn, arg, extra = {}) {
  // Warm up at full size: V8 settles on its final optimized code (OSR, then a
  // regular compile) only after a run or two; timing earlier catches a mix.
  fn(arg, extra.probed);
  let best = null;
  for (let i = 0; i < 5; i++) {
    const r = timed(() => fn(arg, extra.probed));
    const ops = r.count / r.s;
    if (!best || ops > best.opsPerSec)
      best = { opsPerSec: Math.round(ops), count: r.count, seconds: +r.s.toFixed(3) };
  }
  return { name, ...best };
}

const results = [
  measure("events", events, 4_000_000),
  measure("switches", switches, 200_000),
  measure("interrupt-storm", interruptStorm, 100_000_000),
  measure("interrupt-storm-probed", interruptStorm, 100_000_000, { probed: true }),
  measure("probe-site-off", probeSiteOff, 100_000_000),
];

const refPath = resolve(here, "../../../../shared/bench/ref-heap.js");
let ref = null;
if (existsSync(refPath)) {
  ref = JSON.parse(execFileSync(process.execPath, [refPath], { encoding: "utf8" }).trim());
  console.log(JSON.stringify(ref));
}
for (const r of results) {
  if (ref) r.ratioToRefHeap = +(r.opsPerSec / ref.opsPerSec).toFixed(3);
  console.log(JSON.stringify(r));
}
