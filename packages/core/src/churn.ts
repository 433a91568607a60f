/*
 * The pcb-churn experiment (issue 8), standing in for TCP connection churn
 * until netinet exists: a hash table of pcbs as in_pcblookup searches it.
 * Readers on every CPU look a random bucket up at a steady rate inside a
 * read section (or under the table's rwlock as reader) and use the pcb they
 * find; a writer on every CPU closes a random connection and opens one at an
 * even share of the churn rate: unlink and return the pcb to its pool_cache,
 * take a new one, link it. Writers serialise on the table lock, as
 * inpcbtable updates do.
 *
 * A reader records the pcb's generation when it finds it and checks it after
 * use: a change means the pool handed the pcb out again while the reader
 * still held it, the use after free that reclamation exists to prevent.
 */
import {
  type CacheLine,
  IPL_VM,
  type KernelGen,
  load,
  nanotime,
  PRI_KERNEL,
  PRI_KTHREAD,
  type Profile,
  SimError,
  Simulation,
  store,
  work,
} from "@smpnet/sim";
import { epoch_alloc, epoch_call, epoch_poll, type epoch_t } from "./epoch.js";
import { ksleep } from "./kernel-lock.js";
import { MUTEX_DEFAULT, mutex_enter, mutex_exit, mutex_init } from "./mutex.js";
import type { PoolItem } from "./pool.js";
import {
  PR_PSERIALIZE,
  pool_cache_get,
  pool_cache_init,
  pool_cache_put,
  pool_cache_set_smr,
  type pool_cache_t,
} from "./pool-cache.js";
import { pserialize_create, type pserialize_t } from "./pserialize.js";
import { quantile } from "./quantile.js";
import type { Reclaimer } from "./reclaim.js";
import { RW_READER, RW_WRITER, rw_enter, rw_exit, rw_init } from "./rwlock.js";
import { SMR_LAZY, smr_create } from "./smr.js";

export const CHURN_VARIANTS = [
  "pserialize",
  "pserialize-batched",
  "epoch",
  "smr",
  "smr-lazy",
  "rwlock",
  "unprotected",
] as const;
/** `unprotected`: pserialize read sections over a plain pool: the broken baseline that shows the check works. */
export type ChurnVariant = (typeof CHURN_VARIANTS)[number];

export interface ChurnOptions {
  readonly variant: ChurnVariant;
  readonly profile: Profile;
  readonly cpus: number;
  readonly churnPerSecond: number;
  readonly simNs: number;
  readonly seed?: number;
  /** Time between one reader's lookups, ns (estimate of a busy server's rate). */
  readonly lookupIntervalNs?: number;
  /** Open connections, and hash buckets. */
  readonly pcbs?: number;
  readonly buckets?: number;
  /** Cycles a reader uses the pcb it found (default PCB_USE_CYCLES). */
  readonly useCycles?: number;
  /** Kernel preemption on the host, and a device interrupting random CPUs about this often (ns). */
  readonly kernelPreemption?: boolean;
  readonly interruptMeanNs?: number;
}

export interface ChurnResult {
  readonly variant: ChurnVariant;
  readonly cpus: number;
  readonly churnPerSecond: number;
  readonly lookups: number;
  readonly lookupsPerSimSecond: number;
  readonly readNsPerSection: number;
  readonly writerWaitNsP50: number;
  readonly writerWaitNsP99: number;
  readonly xcallsPerSimSecond: number;
  readonly pendingBytesPeak: number;
  readonly pendingBytesMean: number;
  /** Pcbs handed out again while a reader still used them: must be 0. */
  readonly useAfterFree: number;
}

/** sizeof(struct inpcb) on NetBSD amd64 is about 250 bytes; a pool rounds to 256: estimate. */
export const PCB_BYTES = 256;
/** Cycles a reader spends using the pcb it found (compare ports, take a reference): estimate. */
const PCB_USE_CYCLES = 100;

function check(o: ChurnOptions): void {
  const bad = (field: string, want: string, got: unknown) => {
    throw new SimError(`pcb-churn: ${field} must be ${want}, got ${String(got)}`);
  };
  if (!CHURN_VARIANTS.includes(o.variant))
    bad("variant", `one of ${CHURN_VARIANTS.join(", ")}`, o.variant);
  if (!Number.isInteger(o.cpus) || o.cpus < 1) bad("cpus", "a positive integer", o.cpus);
  if (!(o.churnPerSecond > 0)) bad("churnPerSecond", "a positive number", o.churnPerSecond);
  if (!(o.simNs > 0)) bad("simNs", "a positive number of ns", o.simNs);
}

export function pcbChurn(o: ChurnOptions): ChurnResult {
  check(o);
  const sim = new Simulation({ seed: o.seed ?? 1 });
  const host = sim.addHost({
    name: o.profile.name,
    profile: { ...o.profile, cpus: o.cpus },
    kernelPreemption: o.kernelPreemption ?? false,
  });
  const v = o.variant;
  const lookupIntervalNs = o.lookupIntervalNs ?? 5_000;
  const nbuckets = o.buckets ?? 64;

  let rc: Reclaimer | null = null;
  let psz: pserialize_t | null = null;
  let ep: epoch_t | null = null;
  let pc: pool_cache_t;
  if (v === "pserialize" || v === "pserialize-batched") {
    psz = pserialize_create(host);
    rc = psz;
    pc = pool_cache_init(host, "in4pcbpl", PCB_BYTES, PR_PSERIALIZE, undefined, {
      psz,
      batched: v === "pserialize-batched",
    });
  } else {
    pc = pool_cache_init(host, "in4pcbpl", PCB_BYTES);
    if (v === "smr" || v === "smr-lazy") {
      // hz 1000 for SMR_LAZY: FreeBSD's default
      const smr =
        v === "smr" ? smr_create(host, "inp_smr") : smr_create(host, "inp_smr", SMR_LAZY, 1000);
      pool_cache_set_smr(pc, smr);
      rc = smr;
    } else if (v === "epoch") {
      ep = epoch_alloc(host, "net_epoch");
      rc = ep;
    } else if (v === "unprotected") {
      rc = pserialize_create(host);
    }
  }
  const table = rw_init(host, "inpcbtable");
  const tableLock = mutex_init(host, "inpcbtable.lock", MUTEX_DEFAULT, 0);
  const buckets: CacheLine[] = Array.from({ length: nbuckets }, (_, i) =>
    host.cacheline(`inpt_hashtbl[${i}]`, [] as PoolItem[]),
  );

  let lookups = 0;
  let readNs = 0;
  let useAfterFree = 0;
  const waits: number[] = [];
  const limbo: PoolItem[] = [];

  function* link(item: PoolItem): KernelGen {
    const b = buckets[sim.rng.int(0, nbuckets - 1)]!;
    item.linked = true;
    yield* store(b, [...((yield* load(b)) as PoolItem[]), item]);
  }

  host.kthread_create({
    name: "setup",
    pri: PRI_KTHREAD,
    cpu: 0,
    bound: true,
    *body() {
      for (let i = 0; i < (o.pcbs ?? 256); i++) yield* link(yield* pool_cache_get(pc));
    },
  });

  for (let c = 0; c < o.cpus; c++) {
    host.kthread_create({
      name: `reader${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        for (let due = lookupIntervalNs; ; due += lookupIntervalNs) {
          const wait = due - nanotime();
          if (wait > 0) yield* ksleep("reader", wait);
          const t0 = nanotime();
          if (rc !== null) yield* rc.enter();
          else yield* rw_enter(table, RW_READER);
          const t1 = nanotime();
          const chain = (yield* load(buckets[sim.rng.int(0, nbuckets - 1)]!)) as PoolItem[];
          const pcb = chain[0];
          if (pcb !== undefined) {
            const gen = pcb.gen;
            yield* load(pcb.line);
            yield* work(o.useCycles ?? PCB_USE_CYCLES);
            if (pcb.gen !== gen) useAfterFree++;
          }
          const t2 = nanotime();
          if (rc !== null) yield* rc.exit();
          else yield* rw_exit(table);
          readNs += t1 - t0 + (nanotime() - t2);
          lookups++;
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
          if (v === "rwlock") yield* rw_enter(table, RW_WRITER);
          else yield* mutex_enter(tableLock);
          const b = buckets[sim.rng.int(0, nbuckets - 1)]!;
          const chain = (yield* load(b)) as PoolItem[];
          const victim = chain[0];
          if (victim !== undefined) {
            yield* store(b, chain.slice(1));
            victim.linked = false;
          }
          if (v === "rwlock") yield* rw_exit(table);
          else yield* mutex_exit(tableLock);
          if (victim !== undefined) yield* reclaim(victim);
          waits.push(nanotime() - t0);
          const fresh = yield* pool_cache_get(pc);
          if (v === "rwlock") yield* rw_enter(table, RW_WRITER);
          else yield* mutex_enter(tableLock);
          yield* link(fresh);
          if (v === "rwlock") yield* rw_exit(table);
          else yield* mutex_exit(tableLock);
        }
      },
    });
  }

  /** Return an unlinked pcb as the variant's users do. */
  function* reclaim(pcb: PoolItem): KernelGen {
    if (ep === null) {
      yield* pool_cache_put(pc, pcb);
      return;
    }
    yield* epoch_call(ep, pcb);
    limbo.push(pcb);
    yield* epoch_poll(ep);
    for (let i = 0; i < limbo.length; ) {
      const p = limbo[i]!;
      if (p.freed) {
        limbo[i] = limbo[limbo.length - 1]!;
        limbo.pop();
        yield* pool_cache_put(pc, p);
      } else i++;
    }
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
  waits.sort((a, b) => a - b);
  const pending = ep !== null ? ep.stats : pc.stats;
  return {
    variant: v,
    cpus: o.cpus,
    churnPerSecond: o.churnPerSecond,
    lookups,
    lookupsPerSimSecond: Math.round(lookups / seconds),
    readNsPerSection: lookups === 0 ? 0 : +(readNs / lookups).toFixed(2),
    writerWaitNsP50: Math.round(quantile(waits, 0.5) ?? 0),
    writerWaitNsP99: Math.round(quantile(waits, 0.99) ?? 0),
    xcallsPerSimSecond: Math.round((psz?.stats.xcalls ?? 0) / seconds),
    pendingBytesPeak: pending.pendingBytesPeak,
    pendingBytesMean: Math.round(pending.pendingBytesMean(o.simNs)),
    useAfterFree,
  };
}
