import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../src/index.js";

describe("EventQueue", () => {
  it("dispatches in time order, ties in insertion order, skipping cancelled events", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            delay: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1e7 })),
            cancel: fc.boolean(),
            children: fc.integer({ min: 0, max: 2 }),
          }),
          { minLength: 1, maxLength: 300, size: "max" },
        ),
        (specs) => {
          const q = new EventQueue();
          let now = 0;
          let seq = 0;
          const ran: { t: number; seq: number }[] = [];
          const expected: { t: number; seq: number }[] = [];
          let k = 0;
          const schedule = (t: number) => {
            const spec = specs[k++ % specs.length]!;
            const me = seq++;
            const h = q.push(
              t,
              () => {
                ran.push({ t: now, seq: me });
                for (let c = 0; c < spec.children && k < 2000; c++) {
                  schedule(now + specs[k % specs.length]!.delay);
                }
              },
              null,
            );
            if (spec.cancel && me % 3 === 0) {
              expect(q.cancel(h)).toBe(true);
              expect(q.cancel(h)).toBe(false);
            } else {
              expected.push({ t, seq: me });
            }
          };
          for (const s of specs) schedule(s.delay);
          while (q.size > 0) {
            now = q.peekTime();
            q.popAndRun();
          }
          // each event ran at its time; times never decrease; ties by seq
          for (let i = 1; i < ran.length; i++) {
            const a = ran[i - 1]!;
            const b = ran[i]!;
            expect(a.t < b.t || (a.t === b.t && a.seq < b.seq)).toBe(true);
          }
          expect(ran.length).toBe(expected.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reports Infinity when empty and never reuses a handle", () => {
    const q = new EventQueue();
    expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
    const h1 = q.push(5, () => {}, null);
    expect(q.peekTime()).toBe(5);
    q.popAndRun();
    const h2 = q.push(6, () => {}, null);
    expect(h2).not.toBe(h1);
    expect(q.cancel(h1)).toBe(false);
    expect(q.cancel(h2)).toBe(true);
    expect(q.size).toBe(0);
  });
});

describe("EventQueue against a sorted list", () => {
  // Any handle may be cancelled at any time: pending ones (on the wheel or
  // in the heap), ones that ran, ones cancelled, ones whose slot was reused.
  // A peek may slide the window ahead of the clock (the machine asks for the
  // horizon without popping), so later pushes can land before the window.
  type Op =
    | { kind: "push"; delay: number }
    | { kind: "cancel"; pick: number }
    | { kind: "pop" }
    | { kind: "peek" };
  // pushes outweigh pops, so the queue grows its arrays while lists are long
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("push" as const),
        // a few windows of the first width (1 ns x 1024 days): a peek slides
        // the window to a heap event and a push lands a little before it
        delay: fc.oneof(
          fc.integer({ min: 0, max: 40 }),
          fc.integer({ min: 0, max: 6_000 }),
          fc.integer({ min: 0, max: 5e6 }),
        ),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("pop" as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("peek" as const) }) },
  );

  it("cancel succeeds exactly for pending events, and pops follow (time, push order)", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 2000, size: "max" }), (ops) => {
        const q = new EventQueue();
        const model: { t: number; seq: number }[] = [];
        const handles: { h: number; seq: number }[] = [];
        let now = 0;
        let seq = 0;
        let popped = -1;
        const pop = () => {
          now = q.peekTime();
          q.popAndRun();
          const first = model.shift()!;
          expect(now).toBe(first.t);
          expect(popped).toBe(first.seq);
        };
        for (const o of ops) {
          if (o.kind === "push") {
            const me = seq++;
            const t = now + o.delay;
            handles.push({ h: q.push(t, () => (popped = me), null), seq: me });
            let i = model.length;
            while (i > 0 && model[i - 1]!.t > t) i--;
            model.splice(i, 0, { t, seq: me });
          } else if (o.kind === "cancel" && handles.length > 0) {
            const { h, seq: which } = handles[o.pick % handles.length]!;
            const i = model.findIndex((e) => e.seq === which);
            expect(q.cancel(h)).toBe(i >= 0);
            if (i >= 0) model.splice(i, 1);
          } else if (o.kind === "pop" && model.length > 0) {
            pop();
          } else if (o.kind === "peek") {
            expect(q.peekTime()).toBe(model.length > 0 ? model[0]!.t : Number.POSITIVE_INFINITY);
          }
          expect(q.size).toBe(model.length);
        }
        while (model.length > 0) pop();
        expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
      }),
      { numRuns: 100 },
    );
  });
});

describe("EventQueue over several time scales", () => {
  it("keeps time order and tie order with far timers, rebuilds and cancellations", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            // nanoseconds to seconds: the wheel, its widening and the heap
            scale: fc.constantFrom(1, 1e3, 1e6, 1e9),
            delay: fc.integer({ min: 0, max: 2_000 }),
            cancel: fc.boolean(),
          }),
          { minLength: 1, maxLength: 400, size: "max" },
        ),
        (specs) => {
          const q = new EventQueue();
          let now = 0;
          let seq = 0;
          let k = 0;
          const ran: [number, number, number][] = [];
          const live = new Set<number>();
          const schedule = (t: number) => {
            const spec = specs[k++ % specs.length]!;
            const me = seq++;
            const h = q.push(
              t,
              () => {
                ran.push([now, t, me]);
                live.delete(me);
                if (k < 3000) schedule(now + spec.delay * spec.scale);
                if (k < 3000 && spec.delay % 7 === 0) schedule(now + spec.delay * spec.scale);
              },
              null,
            );
            live.add(me);
            if (spec.cancel && me % 5 === 0) {
              expect(q.cancel(h)).toBe(true);
              live.delete(me);
            }
          };
          for (const s of specs) schedule(s.delay * s.scale);
          while (q.size > 0) {
            now = q.peekTime();
            q.popAndRun();
          }
          expect(live.size).toBe(0);
          for (const [at, due] of ran) expect(at).toBe(due);
          for (let i = 1; i < ran.length; i++) {
            const [ta, , sa] = ran[i - 1]!;
            const [tb, , sb] = ran[i]!;
            expect(ta < tb || (ta === tb && sa < sb)).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("accepts an event earlier than its window (a clock that never went back is not assumed)", () => {
    const q = new EventQueue();
    const got: number[] = [];
    for (const t of [5e9, 7e9, 6e9]) q.push(t, () => got.push(t), null);
    expect(q.peekTime()).toBe(5e9);
    q.push(10, () => got.push(10), null);
    q.push(10, () => got.push(11), null);
    while (q.size > 0) {
      q.peekTime();
      q.popAndRun();
    }
    expect(got).toEqual([10, 11, 5e9, 6e9, 7e9]);
  });
});
