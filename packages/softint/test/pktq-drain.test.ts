import { IPL_VM, type KernelGen, work } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { pktq_create, pktq_enqueue, SOFTINT_VARIANTS, type SoftintVariant } from "../src/index.js";
import { machine } from "./fixtures.js";

/**
 * One CPU; an interrupt queues a burst of 10 items, 20 times; the drain
 * hook records its runs and checks every item is processed inside one.
 */
function runs(variant: SoftintVariant) {
  const { sim, host } = machine(
    1,
    variant === "budget" ? { variant, budget: { items: 4 } } : { variant },
  );
  let inside = false;
  let runCount = 0;
  let outside = 0;
  let processed = 0;
  const pq = pktq_create<number>(
    host,
    "ip_pktq",
    function* ip_input(): KernelGen {
      if (!inside) outside++;
      processed++;
      yield* work(1_000);
    },
    256,
    {
      *enter() {
        inside = true;
        runCount++;
      },
      *exit() {
        inside = false;
      },
    },
  );
  const nic = host.intr_establish({
    name: "nic",
    ipl: IPL_VM,
    cpu: 0,
    *handler() {
      for (let i = 0; i < 10; i++) yield* pktq_enqueue(pq, i, 0);
    },
  });
  for (let r = 0; r < 20; r++) sim.at(r * 100_000, () => nic.raise());
  sim.run(10_000_000);
  return { runCount, outside, processed };
}

describe("pktq's drain hook (ipintr's lock around its dequeue loop)", () => {
  it.each(SOFTINT_VARIANTS)("%s: every item is processed inside a run of the hook", (variant) => {
    const r = runs(variant);
    expect(r.processed).toBe(200);
    expect(r.outside).toBe(0);
    // netbsd: one run per burst; budget: one per 4 items; threaded: one per item
    const expected = { netbsd: 20, budget: 60, threaded: 200 }[variant];
    expect(r.runCount).toBe(expected);
  });
});
