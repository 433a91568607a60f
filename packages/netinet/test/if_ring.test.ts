import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DescRing } from "../src/if_ring.js";

describe("DescRing (a NIC's descriptor ring)", () => {
  it("gives entries back oldest first through any wrap-around, as a queue would", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (size, puts) => {
          const ring = new DescRing<number>(size);
          const model: number[] = [];
          const slots = new Set<number>();
          let next = 0;
          for (const put of puts) {
            if (put && model.length < size) {
              const slot = ring.put(next);
              // a slot is never handed out twice while in use, and always in the ring
              expect(slot).toBeGreaterThanOrEqual(0);
              expect(slot).toBeLessThan(size);
              expect(slots.has(slot)).toBe(false);
              slots.add(slot);
              model.push(next++);
            } else {
              const head = ring.head;
              expect(ring.take()).toBe(model.length === 0 ? null : model.shift());
              slots.delete(head);
            }
            expect(ring.count).toBe(model.length);
          }
        },
      ),
    );
  });
});
