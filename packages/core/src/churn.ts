/*
 * The pcb-churn experiment, standing in for TCP connection churn until
 * netinet exists: a hash table of pcbs as in_pcblookup searches it.
 *
 * A reader on every CPU looks a random bucket up and uses the pcb it finds,
 * then does its own work and looks up again, as fast as it can (closed loop;
 * `lookupIntervalNs` paces it instead). A writer on every CPU closes a random
 * connection and opens one at an even share of the churn rate: unlink under
 * the table lock, give the pcb back as its variant does (churn-variants.ts),
 * take a new one, link it. Optionally the pagedaemon reclaims the pool every
 * `drainIntervalNs`, as pool_drain does under memory pressure.
 *
 * A reader remembers the pcb's generation when it finds it and checks it when
 * it uses it (pool_item_use): a change means the pool handed the pcb out
 * again while the reader took it for the connection it looked up.
 */
import {
  type CacheLine,
  IPL_VM,
  type KernelGen,
  load,
  MAXPRI_KTHREAD,
  nanotime,
  PRI_KERNEL,
  PRI_KTHREAD,
  type Profile,
  preempt,
  SimError,
  Simulation,
  store,
  work,
} from "@smpnet/sim";
import {
  CHURN_VARIANTS,
  type ChurnScheme,
  type ChurnVariant,
  churnScheme,
  inp_lock,
} from "./churn-variants.js";
import { ksleep } from "./kernel-lock.js";
import { lockdebug_enable } from "./lockdebug.js";
import { MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init, mutex_tryenter } from "./mutex.js";
import { type PoolItem, pool_item_use } from "./pool.js";
import { pool_cache_get, pool_cache_reclaim } from "./pool-cache.js";
import { quantile } from "./quantile.js";
import { RW_READER, RW_WRITER, rw_enter, rw_exit, rw_init } from "./rwlock.js";
import { xc_broadcasts } from "./xcall.js";

export { CHURN_VARIANTS, type ChurnVariant, PCB_BYTES } from "./churn-variants.js";

export interface ChurnOptions {
  readonly variant: ChurnVariant;
  readonly profile: Profile;
  readonly cpus: number;
  readonly churnPerSecond: number;
  readonly simNs: number;
  readonly seed?: number;
  /** Pace each reader to one lookup per this many ns; by default readers run closed-loop. */
  readonly lookupIntervalNs?: number;
  /** Cycles of the reader's own work between lookups (default READER_WORK_CYCLES). */
  readonly readerWorkCycles?: number;
  /** Open connections, and hash buckets. */
  readonly pcbs?: number;
  readonly buckets?: number;
  /** Cycles a reader uses the pcb it found (default PCB_USE_CYCLES). */
  readonly useCycles?: number;
  /** Kernel preemption on the host, and a device interrupting random CPUs about this often (ns). */
  readonly kernelPreemption?: boolean;
  readonly interruptMeanNs?: number;
  /** The pagedaemon runs pool_cache_reclaim on the pcb pool this often (ns); never by default. */
  readonly drainIntervalNs?: number | undefined;
  /** The pool's destructor cost and group limit (pool_cache_init's options). */
  readonly dtorCycles?: number | undefined;
  readonly maxGroups?: number | undefined;
  /** pserialize-typesafe only: false makes readers skip the revalidation (a broken reader). */
  readonly revalidate?: boolean;
  /** Turn lockdebug on (its use-after-reuse reports are counted). */
  readonly lockdebug?: boolean;
}

export interface ChurnResult {
  readonly variant: ChurnVariant;
  readonly cpus: number;
  readonly churnPerSecond: number;
  readonly lookups: number;
  readonly lookupsPerSimSecond: number;
  readonly lookupsPerSimSecondPerCpu: number;
  readonly readNsPerSection: number;
  readonly writerWaitNsP50: number;
  readonly writerWaitNsP99: number;
  /** High-priority (pserialize_perform) and low-priority (pool_barrier, transfer) cross-calls. */
  readonly xcallsPerSimSecond: number;
  readonly destructBatchesPerSimSecond: number;
  /** Lookups a typesafe reader had to repeat because the pcb it found was freed or reused. */
  readonly revalidationFailures: number;
  readonly revalidationFailuresPerSimSecond: number;
  readonly pendingBytesPeak: number;
  readonly pendingBytesMean: number;
  /** Pcbs used after the pool handed them out again: must be 0. */
  readonly useAfterReuse: number;
  /** lockdebug's use-after-reuse reports (with `lockdebug`). */
  readonly lockdebugReports: number;
}

/** Cycles a reader spends using the pcb it found (compare ports, take a reference): estimate. */
const PCB_USE_CYCLES = 100;
/** Cycles of a reader's own work per lookup (the rest of a short input path): estimate. */
export const READER_WORK_CYCLES = 1_000;
/** PRI_PGDAEMON: MAXPRI_KTHREAD - 1, sys/sys/param.h (kernel.md section 1). */
const PRI_PGDAEMON = MAXPRI_KTHREAD - 1;

function check(o: ChurnOptions): void {
  const bad = (field: string, want: string, got: unknown) => {
    throw new SimError(`pcb-churn: ${field} must be ${want}, got ${String(got)}`);
  };
  if (!CHURN_VARIANTS.includes(o.variant))
    bad("variant", `one of ${CHURN_VARIANTS.join(", ")}`, o.variant);
  if (!Number.isInteger(o.cpus) || o.cpus < 1) bad("cpus", "a positive integer", o.cpus);
  if (!(o.churnPerSecond > 0)) bad("churnPerSecond", "a positive number", o.churnPerSecond);
  if (!(o.simNs > 0)) bad("simNs", "a positive number of ns", o.simNs);
  for (const f of ["lookupIntervalNs", "drainIntervalNs"] as const) {
    const x = o[f];
    if (x !== undefined && !(x > 0)) bad(f, "a positive number of ns (or left out)", x);
  }
  if (o.revalidate === false && o.variant !== "pserialize-typesafe")
    bad("revalidate", "left out except for pserialize-typesafe", o.revalidate);
}

export function pcbChurn(o: ChurnOptions): ChurnResult {
  check(o);
  const sim = new Simulation({ seed: o.seed ?? 1 });
  const host = sim.addHost({
    name: o.profile.name,
    profile: { ...o.profile, cpus: o.cpus },
    kernelPreemption: o.kernelPreemption ?? false,
  });
  const debug = o.lockdebug ? lockdebug_enable(host) : null;
  const v = o.variant;
  const nbuckets = o.buckets ?? 64;
  const useCycles = o.useCycles ?? PCB_USE_CYCLES;
  const readerWork = o.readerWorkCycles ?? READER_WORK_CYCLES;
  const scheme: ChurnScheme = churnScheme(host, v, {
    dtorCycles: o.dtorCycles,
    maxGroups: o.maxGroups,
  });
  const { pc, rc } = scheme;
  const revalidate = scheme.typesafe && o.revalidate !== false;
  const table = rw_init(host, "inpcbtable");
  const tableLock = mutex_init(host, "inpcbtable.lock", MUTEX_DEFAULT, 0);
  const buckets: CacheLine[] = Array.from({ length: nbuckets }, (_, i) =>
    host.cacheline(`inpt_hashtbl[${i}]`, [] as PoolItem[]),
  );

  let lookups = 0;
  let sections = 0;
  let readNs = 0;
  let useAfterReuse = 0;
  let revalidationFailures = 0;
  const waits: number[] = [];

  const lockTable = () => (v === "rwlock" ? rw_enter(table, RW_WRITER) : mutex_enter(tableLock));
  const unlockTable = () => (v === "rwlock" ? rw_exit(table) : mutex_exit(tableLock));

  /** Link a pcb into a random chain; the caller holds the table lock. */
  function* link(item: PoolItem): KernelGen {
    const b = buckets[sim.rng.int(0, nbuckets - 1)]!;
    item.linked = true;
    yield* store(b, [...((yield* load(b)) as PoolItem[]), item]);
  }

  /** Use the pcb found at generation `gen`: read it, work on it, check it. */
  function* use(pcb: PoolItem, gen: number): KernelGen {
    yield* load(pcb.line);
    yield* work(useCycles);
    if (!pool_item_use(pcb, gen)) useAfterReuse++;
  }

  /** in_pcblookup and the use of what it found; a typesafe reader retries on a mismatch. */
  function* lookup(): KernelGen {
    for (;;) {
      const t0 = nanotime();
      if (rc !== null) yield* rc.enter();
      else yield* rw_enter(table, RW_READER);
      const t1 = nanotime();
      sections++;
      const chain = (yield* load(buckets[sim.rng.int(0, nbuckets - 1)]!)) as PoolItem[];
      const pcb = chain[0];
      if (pcb !== undefined) {
        const gen = pcb.gen;
        if (revalidate) {
          // inp_smr_lock: lock it (if that would block, leave the section first: the
          // memory stays a pcb and its lock a lock), then check it is still the one found
          const lk = inp_lock(host, pcb);
          const locked = yield* mutex_tryenter(lk);
          const t2 = nanotime();
          yield* rc!.exit();
          readNs += t1 - t0 + (nanotime() - t2);
          if (!locked) yield* mutex_enter(lk);
          yield* load(pcb.line);
          const same = pcb.gen === gen && !pcb.freed;
          if (same) yield* use(pcb, gen);
          else revalidationFailures++;
          yield* mutex_exit(lk);
          if (same) return;
          continue;
        }
        yield* use(pcb, gen);
      }
      const t2 = nanotime();
      if (rc !== null) yield* rc.exit();
      else yield* rw_exit(table);
      readNs += t1 - t0 + (nanotime() - t2);
      return;
    }
  }

  host.kthread_create({
    name: "setup",
    pri: PRI_KTHREAD,
    cpu: 0,
    bound: true,
    *body() {
      for (let i = 0; i < (o.pcbs ?? 256); i++) {
        const pcb = yield* pool_cache_get(pc);
        // under the table lock: writers already churn
        yield* lockTable();
        yield* link(pcb);
        yield* unlockTable();
      }
    },
  });

  for (let c = 0; c < o.cpus; c++) {
    host.kthread_create({
      name: `reader${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        const pace = o.lookupIntervalNs;
        for (let due = pace ?? 0; ; due += pace ?? 0) {
          if (pace !== undefined) {
            const wait = due - nanotime();
            if (wait > 0) yield* ksleep("reader", wait);
          }
          yield* lookup();
          lookups++;
          if (pace === undefined) {
            yield* work(readerWork);
            // a preemption point between lookups (a softint returns, a thread reaches userret)
            yield* preempt();
          }
        }
      },
    });
  }

  const periodNs = (1e9 * o.cpus) / o.churnPerSecond;
  for (let c = 0; c < o.cpus; c++) {
    host.kthread_create({
      name: `writer${c}`,
      pri: PRI_KTHREAD,
      cpu: c,
      bound: true,
      *body() {
        // writers start staggered across one period
        for (let due = (periodNs * (c + 1)) / o.cpus; ; due += periodNs) {
          const wait = due - nanotime();
          if (wait > 0) yield* ksleep("writer", wait);
          const t0 = nanotime();
          yield* lockTable();
          const b = buckets[sim.rng.int(0, nbuckets - 1)]!;
          const chain = (yield* load(b)) as PoolItem[];
          const victim = chain[0];
          if (victim !== undefined) {
            yield* store(b, chain.slice(1));
            victim.linked = false;
          }
          yield* unlockTable();
          if (victim !== undefined) yield* scheme.close(victim);
          waits.push(nanotime() - t0);
          const fresh = yield* pool_cache_get(pc);
          yield* lockTable();
          yield* link(fresh);
          yield* unlockTable();
        }
      },
    });
  }

  if (o.drainIntervalNs !== undefined) {
    const every = o.drainIntervalNs;
    host.kthread_create({
      name: "pagedaemon",
      pri: PRI_PGDAEMON,
      cpu: 0,
      *body() {
        for (let due = every; ; due += every) {
          const wait = due - nanotime();
          if (wait > 0) yield* ksleep("pgdaemon", wait);
          yield* pool_cache_reclaim(pc);
        }
      },
    });
  }

  if (o.interruptMeanNs !== undefined) {
    const mean = o.interruptMeanNs;
    const dev = host.intr_establish({
      name: "dev",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        yield* work(sim.rng.int(0, 2_000));
      },
    });
    const tick = () => {
      dev.raise(sim.rng.int(0, o.cpus - 1));
      sim.after(sim.rng.int(1, 2 * mean), tick);
    };
    sim.after(0, tick);
  }
  sim.run(o.simNs);
  const seconds = o.simNs / 1e9;
  const perSecond = (n: number) => Math.round(n / seconds);
  waits.sort((a, b) => a - b);
  const pending = scheme.epoch !== null ? scheme.epoch.stats : pc.stats;
  return {
    variant: v,
    cpus: o.cpus,
    churnPerSecond: o.churnPerSecond,
    lookups,
    lookupsPerSimSecond: perSecond(lookups),
    lookupsPerSimSecondPerCpu: perSecond(lookups / o.cpus),
    readNsPerSection: sections === 0 ? 0 : +(readNs / sections).toFixed(2),
    writerWaitNsP50: Math.round(quantile(waits, 0.5) ?? 0),
    writerWaitNsP99: Math.round(quantile(waits, 0.99) ?? 0),
    xcallsPerSimSecond: perSecond((scheme.psz?.stats.xcalls ?? 0) + xc_broadcasts(host)),
    destructBatchesPerSimSecond: perSecond(pc.stats.destructBatches),
    revalidationFailures,
    revalidationFailuresPerSimSecond: perSecond(revalidationFailures),
    pendingBytesPeak: pending.pendingBytesPeak,
    pendingBytesMean: Math.round(pending.pendingBytesMean(o.simNs)),
    useAfterReuse,
    lockdebugReports: debug?.reports.filter((r) => r.kind === "use-after-reuse").length ?? 0,
  };
}
