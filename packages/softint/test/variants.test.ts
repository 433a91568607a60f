import { IPL_VM, type KernelGen, PRI_KTHREAD, preempt, work } from "@smpnet/sim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  pktq_create,
  pktq_enqueue,
  pktq_rps_hash,
  pktq_rps_hash_curcpu,
  pktq_rps_hash_zero,
  type SoftintConfig,
} from "../src/index.js";
import { machine } from "./fixtures.js";

interface Item {
  flow: number;
  seq: number;
}

interface Batch {
  atUs: number;
  cpu: number;
  flows: number[];
}

const VARIANTS: SoftintConfig[] = [
  { variant: "netbsd" },
  // a small budget, so that the runs stop, restart and hand off to the thread
  {
    variant: "budget",
    budget: { items: 3, timeNs: 40_000, maxRestarts: 2, restartTimeNs: 100_000 },
  },
  { variant: "threaded" },
];

/**
 * Delivers `batches` through a pktq on 2 CPUs, each item processed on the
 * CPU that took its interrupt (pktq_rps_hash_curcpu); returns each flow's
 * processed sequence numbers.
 */
function run(config: SoftintConfig, batches: Batch[], itemCycles: number, maxlen: number) {
  const { sim, host } = machine(2, config);
  const seen = new Map<number, number[]>();
  const pq = pktq_create<Item>(
    host,
    "ip_pktq",
    function* (m): KernelGen {
      yield* work(itemCycles);
      const s = seen.get(m.flow) ?? [];
      s.push(m.seq);
      seen.set(m.flow, s);
    },
    maxlen,
  );
  const next = new Map<number, number>();
  const sent = new Map<number, number[]>();
  const pending: Item[][] = [[], []];
  const nic = host.intr_establish({
    name: "nic",
    ipl: IPL_VM,
    cpu: 0,
    *handler(cpu) {
      const items = pending[cpu.index]!;
      pending[cpu.index] = [];
      for (const m of items) {
        if (yield* pktq_enqueue(pq, m, pktq_rps_hash(pktq_rps_hash_curcpu, m))) {
          const s = sent.get(m.flow) ?? [];
          s.push(m.seq);
          sent.set(m.flow, s);
        }
      }
    },
  });
  for (const b of batches) {
    sim.at(b.atUs * 1_000, () => {
      for (const flow of b.flows) {
        // a flow arrives on one CPU (its NIC queue): flow f on CPU f % 2
        if (flow % 2 !== b.cpu) continue;
        const seq = next.get(flow) ?? 0;
        next.set(flow, seq + 1);
        pending[b.cpu]!.push({ flow, seq });
      }
      nic.raise(b.cpu);
    });
  }
  sim.run(1_000_000_000);
  return { seen, sent, stats: pq.stats() };
}

const batchesArb = fc
  .array(
    fc.record({
      atUs: fc.integer({ min: 0, max: 3_000 }),
      cpu: fc.integer({ min: 0, max: 1 }),
      flows: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12, size: "max" }),
    }),
    { minLength: 1, maxLength: 40, size: "max" },
  )
  .map((bs) => bs.sort((a, b) => a.atUs - b.atUs));

describe("scheduling variants", () => {
  it("process the same items in the same order per flow, none lost or duplicated", () => {
    fc.assert(
      fc.property(batchesArb, fc.integer({ min: 500, max: 30_000 }), (batches, cycles) => {
        const results = VARIANTS.map((v) => run(v, batches, cycles, 1_000));
        const want = results[0]!.sent;
        for (const r of results) {
          expect(r.stats.dropped).toBe(0);
          expect(r.sent).toEqual(want);
          for (const [flow, seqs] of want) {
            expect(r.seen.get(flow)).toEqual(seqs);
            expect(seqs).toEqual(seqs.map((_, i) => i));
          }
          expect(r.stats.processed).toBe(r.stats.enqueued);
        }
      }),
      { numRuns: 15 },
    );
  });

  it("keep each flow in order and account for every item when the queue overflows", () => {
    fc.assert(
      fc.property(batchesArb, (batches) => {
        for (const v of VARIANTS) {
          const r = run(v, batches, 20_000, 4);
          for (const [flow, seqs] of r.sent) expect(r.seen.get(flow)).toEqual(seqs);
          const offered = batches.reduce(
            (n, b) => n + b.flows.filter((f) => f % 2 === b.cpu).length,
            0,
          );
          expect(r.stats.enqueued + r.stats.dropped).toBe(offered);
          expect(r.stats.processed).toBe(r.stats.enqueued);
        }
      }),
      { numRuns: 10 },
    );
  });

  it("the budget variant restarts within its budget, then hands the queue to its thread", () => {
    const batches: Batch[] = [{ atUs: 10, cpu: 0, flows: Array(40).fill(0) }];
    const r = run(VARIANTS[1]!, batches, 10_000, 1_000);
    // 40 items at 10 us: runs of 3 items (30 us); after 2 restarts (90 us) the thread takes over
    expect(r.stats.squeezed).toBe(3);
    expect(r.stats.handoffs).toBe(1);
    expect(r.seen.get(0)).toHaveLength(40);
  });
});

describe("sharing the CPU with a thread of the network thread's priority", () => {
  /** One CPU: 1.5 times the network work it can do, and a CPU-bound kernel thread at PRI_KTHREAD. */
  function share(config: SoftintConfig) {
    const { sim, host } = machine(1, config);
    let processed = 0;
    const pq = pktq_create<number>(host, "ip_pktq", function* (): KernelGen {
      yield* work(10_000);
      processed++;
    });
    const nic = host.intr_establish({
      name: "nic",
      ipl: IPL_VM,
      cpu: 0,
      *handler() {
        for (let i = 0; i < 15; i++) yield* pktq_enqueue(pq, i, pktq_rps_hash_zero(i));
      },
    });
    const arrive = () => {
      sim.after(100_000, arrive);
      nic.raise();
    };
    sim.after(100_000, arrive);
    let hog = 0;
    host.kthread_create({
      name: "hog",
      pri: PRI_KTHREAD,
      cpu: 0,
      bound: true,
      *body() {
        for (;;) {
          yield* work(100_000);
          hog += 100_000;
          yield* preempt();
        }
      },
    });
    sim.run(2_000_000_000);
    return { hog: hog / 2e9, net: processed };
  }

  it("netbsd starves it; budget and threaded rotate with it every rrticks", () => {
    const netbsd = share({ variant: "netbsd" });
    expect(netbsd.hog).toBeLessThan(0.01);
    for (const variant of ["budget", "threaded"] as const) {
      const r = share({ variant });
      expect(r.hog).toBeGreaterThan(0.35);
      expect(r.hog).toBeLessThan(0.6);
      expect(r.net).toBeGreaterThan(0.35 * netbsd.net);
    }
  });
});
