import { curcpu, IPL_VM, type KernelGen, SimError, work } from "@smpnet/sim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  hash_mod,
  type PktqRpsHashFunc,
  pktq_create,
  pktq_enqueue,
  pktq_rps_hash,
  pktq_rps_hash_default,
  type SoftintConfig,
} from "../src/index.js";
import { machine } from "./fixtures.js";

interface Pkt {
  flow: number;
  seq: number;
}

/**
 * 4 CPUs; every 50 us each CPU's NIC queue interrupt delivers one packet of
 * each of its flows (flow f arrives on CPU f % 4, as a multiqueue NIC's RSS
 * would put it), 40 rounds. The caller's hash function picks the CPU that
 * processes each packet. Returns where and in what order each flow ran,
 * and the IPIs sent.
 */
function deliver(hash: PktqRpsHashFunc<Pkt>, config: SoftintConfig = { variant: "netbsd" }) {
  const { sim, host } = machine(4, config);
  const ranOn = new Map<number, Set<number>>();
  const order = new Map<number, number[]>();
  const pq = pktq_create<Pkt>(host, "ip_pktq", function* ip_input(m): KernelGen {
    yield* work(2_000);
    const cpus = ranOn.get(m.flow) ?? new Set();
    cpus.add(curcpu().index);
    ranOn.set(m.flow, cpus);
    order.set(m.flow, [...(order.get(m.flow) ?? []), m.seq]);
  });
  const FLOWS = 8;
  const seq = new Array<number>(FLOWS).fill(0);
  const nic = host.intr_establish({
    name: "cnmac",
    ipl: IPL_VM,
    cpu: 0,
    *handler(cpu) {
      for (let f = cpu.index; f < FLOWS; f += 4) {
        const m = { flow: f, seq: seq[f]!++ };
        yield* pktq_enqueue(pq, m, pktq_rps_hash(hash, m));
      }
    },
  });
  for (let r = 0; r < 40; r++) {
    sim.at(10_000 + r * 50_000, () => {
      for (let c = 0; c < 4; c++) nic.raise(c);
    });
  }
  let ipis = 0;
  sim.probe.ipi_send.subscribe(() => ipis++);
  sim.run(100_000_000);
  return { ranOn, order, ipis, stats: pq.stats() };
}

const inOrder = (order: Map<number, number[]>) => {
  for (const seqs of order.values()) expect(seqs).toEqual(seqs.map((_, i) => i));
};

describe("pktq_enqueue and the RPS hash", () => {
  it("with the default hash (zero on GENERIC) processes every packet on CPU 0, with an IPI from each other CPU's enqueue", () => {
    const r = deliver(pktq_rps_hash_default);
    expect(r.stats.processed).toBe(8 * 40);
    for (const cpus of r.ranOn.values()) expect([...cpus]).toEqual([0]);
    inOrder(r.order);
    // flows 1-3 and 5-7 are enqueued on CPUs 1-3: one softint_schedule_cpu IPI each
    expect(r.ipis).toBe(6 * 40);
  });

  it("with a per-flow hash spreads the flows over the CPUs and keeps each flow in order", () => {
    // a flow hash that sends flow f to CPU (f + 1) % 4: never the CPU it arrived on
    const r = deliver((m) => m.flow + 1);
    for (const [flow, cpus] of r.ranOn) expect([...cpus]).toEqual([(flow + 1) % 4]);
    inOrder(r.order);
    expect(r.ipis).toBe(8 * 40);
  });

  it("with the current CPU's hash sends no IPI", () => {
    const r = deliver(() => curcpu().index);
    for (const [flow, cpus] of r.ranOn) expect([...cpus]).toEqual([flow % 4]);
    expect(r.ipis).toBe(0);
  });

  for (const config of [
    { variant: "threaded" },
    { variant: "budget", budget: { items: 2, maxRestarts: 1 } },
  ] as SoftintConfig[]) {
    it(`sends the work to the hashed CPU in the ${config.variant} variant too`, () => {
      const r = deliver(pktq_rps_hash_default, config);
      for (const cpus of r.ranOn.values()) expect([...cpus]).toEqual([0]);
      inOrder(r.order);
      expect(r.stats.processed).toBe(8 * 40);
    });
  }

  it("picks the CPU as hash % ncpu in C for every uint32 hash, those past 2^31 too", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffff_ffff }), fc.integer({ min: 1, max: 64 }), (h, n) => {
        expect(hash_mod(h, n)).toBe(h % n);
      }),
    );
    expect(hash_mod(0xffff_ffff, 3)).toBe(0);
    expect(hash_mod(0x8000_0001, 7)).toBe(0x8000_0001 % 7);
  });

  it("rejects a hash that is not a uint32", () => {
    expect(() => pktq_rps_hash(() => -1, {})).toThrow(SimError);
    expect(() =>
      pktq_rps_hash(function toeplitz() {
        return 1.5;
      }, {}),
    ).toThrow("pktq_rps_hash: toeplitz returned 1.5; a hash is an integer in 0..2^32-1");
    const { host } = machine(2, { variant: "netbsd" });
    const pq = pktq_create<number>(host, "ip_pktq", function* ip_input(): KernelGen {});
    expect(() => pktq_enqueue(pq, 1, 2 ** 32)).toThrow(
      "pktq_enqueue ip_pktq: hash must be an integer in 0..2^32-1 (pktq_rps_hash(pktq_rps_hash_default, m)), got 4294967296",
    );
  });
});
