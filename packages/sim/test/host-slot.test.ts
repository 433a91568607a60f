import { describe, expect, it } from "vitest";
import { HostSlot, Simulation } from "../src/index.js";
import { testProfile } from "./fixtures.js";

describe("HostSlot", () => {
  it("keeps one state per host and per slot, apart from every other", () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.addHost({ name: "a", profile: testProfile(1) });
    const b = sim.addHost({ name: "b", profile: testProfile(1) });
    const s1 = new HostSlot<{ n: number }>();
    const s2 = new HostSlot<string>();
    expect(s1.has(a)).toBe(false);
    expect(s1.get(a)).toBeUndefined();
    const st = { n: 1 };
    s1.set(a, st);
    s2.set(a, "x");
    s2.set(b, "y");
    expect(s1.get(a)).toBe(st);
    expect(s1.has(a)).toBe(true);
    expect(s1.has(b)).toBe(false);
    expect([s2.get(a), s2.get(b)]).toEqual(["x", "y"]);
    // a host of another simulation starts empty
    const c = new Simulation({ seed: 1 }).addHost({ name: "a", profile: testProfile(1) });
    expect(s1.get(c)).toBeUndefined();
  });
});
