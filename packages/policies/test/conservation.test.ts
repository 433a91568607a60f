import { SOFTINT_VARIANTS } from "@smpnet/softint";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { udpRun } from "./fixtures.js";

describe("UDP through the whole stack under giant", () => {
  it("every datagram that reaches the system under test is read once or counted in exactly one drop counter", () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          cpus: fc.integer({ min: 1, max: 4 }),
          variant: fc.constantFrom(...SOFTINT_VARIANTS),
          sizes: fc.array(fc.integer({ min: 0, max: 1472 }), { minLength: 1, maxLength: 80 }),
          gapNs: fc.constantFrom(0, 2_000, 20_000),
          lossRate: fc.constantFrom(0, 0.05, 0.3),
          duplicateRate: fc.constantFrom(0, 0.05, 0.3),
          reorderRate: fc.constantFrom(0, 0.1, 0.5),
          corruptRate: fc.constantFrom(0, 0.05),
          rxRingSize: fc.constantFrom(4, 4_096),
        }),
        (o) => {
          const r = udpRun({
            seed: o.seed,
            cpus: o.cpus,
            variant: o.variant,
            sizes: o.sizes,
            gapNs: o.gapNs,
            wire: {
              lossRate: o.lossRate,
              duplicateRate: o.duplicateRate,
              reorderRate: o.reorderRate,
              reorderDelayNs: 30_000,
              corruptRate: o.corruptRate,
            },
            nic: { rxRingSize: o.rxRingSize },
          });
          const w = r.k.toDut.stats;
          const arrived = w.frames - w.lost + w.duplicated;
          // each frame that reached the NIC: read, or dropped once
          expect(r.readIds.length + r.drops.length).toBe(arrived);
          // what was read was sent, whole
          const copies = new Map<number, number>();
          r.readIds.forEach((id, i) => {
            expect(r.sent.get(id)).toBe(r.readLens[i]);
            copies.set(id, (copies.get(id) ?? 0) + 1);
          });
          if (o.duplicateRate === 0) for (const n of copies.values()) expect(n).toBe(1);
          // the wire carried exactly what sendto accepted
          expect(w.frames).toBe(r.sent.size);
          // one flow, one queue, one reader: order kept unless the wire reorders
          if (o.reorderRate === 0 && o.duplicateRate === 0) {
            expect(r.readIds).toEqual([...r.readIds].sort((a, b) => a - b));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("delivers every datagram, in order, on a clean wire", () => {
    const sizes = Array.from({ length: 500 }, (_, i) => (i * 97) % 1473);
    const r = udpRun({ sizes, gapNs: 5_000 });
    expect(r.drops).toEqual([]);
    expect(r.readIds).toEqual(sizes.map((_, i) => i + 1));
    expect(r.readLens).toEqual(sizes);
  });
});
