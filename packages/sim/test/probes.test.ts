import { describe, expect, it } from "vitest";
import { ProbeBus } from "../src/index.js";

describe("probes", () => {
  it("hand every listener the time and exactly the arguments emitted, of any count", () => {
    let now = 7;
    const bus = new ProbeBus(() => now);
    const p = bus.define<unknown[]>("p");
    const seen: unknown[][] = [];
    const off = p.subscribe((t, ...args) => seen.push([t, ...args]));
    p.subscribe((t, ...args) => seen.push(["second", t, args.length]));
    for (let n = 0; n <= 10; n++) {
      now = 100 + n;
      p.emit(...Array.from({ length: n }, (_, i) => i * 10));
    }
    expect(seen.filter((s) => s[0] !== "second")).toEqual(
      Array.from({ length: 11 }, (_, n) => [
        100 + n,
        ...Array.from({ length: n }, (_, i) => i * 10),
      ]),
    );
    expect(seen.filter((s) => s[0] === "second")).toEqual(
      Array.from({ length: 11 }, (_, n) => ["second", 100 + n, n]),
    );
    // a listener that leaves stops hearing; the probe goes quiet with the last
    off();
    seen.length = 0;
    p.emit(1, 2);
    expect(seen).toEqual([["second", 100 + 10, 2]]);
    expect(p.on).toBe(true);
  });
});
