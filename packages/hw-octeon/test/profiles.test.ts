import {
  atomic_add,
  IPL_SOFTNET,
  IPL_SOFTSERIAL,
  membar,
  nanotime,
  PRI_KERNEL,
  type Profile,
  profileSourceGaps,
  Simulation,
  splraise,
  splx,
  validateProfile,
  work,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { cn78xx, cn78xxSources, er4, er4Sources } from "../src/index.js";

const shipped: [Profile, Record<string, string>][] = [
  [er4, er4Sources],
  [cn78xx, cn78xxSources],
];

/** Nanoseconds per increment of a counter that `cpus` CPUs add to in turn. */
function perIncrementNs(p: Profile, cpus: number): number {
  const sim = new Simulation({ seed: 1 });
  const host = sim.addHost({ name: p.name, profile: p });
  const counter = host.cacheline("counter", 0);
  let end = 0;
  for (let c = 0; c < cpus; c++) {
    host.kthread_create({
      name: `t${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        const t0 = nanotime();
        for (let i = 0; i < 1000; i++) yield* atomic_add(counter, 1);
        end = Math.max(end, nanotime() - t0);
      },
    });
  }
  sim.run();
  return end / 1000;
}

describe("Octeon profiles", () => {
  for (const [p, sources] of shipped) {
    it(`${p.name} passes the profile check and gives a source for every constant`, () => {
      expect(validateProfile(p)).toEqual(p);
      expect(profileSourceGaps(p, sources)).toEqual({ missing: [], stale: [] });
    });
  }

  it("makes the ER-4 pay an L2 round trip per increment of a shared counter, and a hit alone", () => {
    const alone = perIncrementNs(er4, 1);
    const shared = perIncrementNs(er4, 2);
    // one CPU: cache hit + LL/SC (4 + 40 ns at 1 GHz)
    expect(alone).toBeCloseTo(44, 0);
    // two CPUs: about a line transfer on each increment, and they take turns
    expect(shared).toBeGreaterThan(2 * 50);
  });

  it("prices sync and syncw, and refuses a fence MIPS does not have", () => {
    const sim = new Simulation({ seed: 1 });
    const host = sim.addHost({ name: "er4", profile: er4 });
    const got: number[] = [];
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        for (const k of ["sync", "syncw"]) {
          const t0 = nanotime();
          yield* membar(k);
          got.push(nanotime() - t0);
        }
        yield* membar("mfence");
      },
    });
    expect(() => sim.run()).toThrow(
      'membar: profile er4 has no fence "mfence"; it has: sync, syncw',
    );
    expect(got).toEqual([100, 10]);
  });

  it("folds the soft IPLs as evbmips does: splsoftserial also holds off softnet", () => {
    const sim = new Simulation({ seed: 1 });
    const host = sim.addHost({ name: "er4", profile: er4 });
    let ranAt = -1;
    let loweredAt = -1;
    const si = host.intr_establish({
      name: "softnet",
      ipl: IPL_SOFTNET,
      cpu: 0,
      *handler() {
        ranAt = nanotime();
      },
    });
    host.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        const s = yield* splraise(IPL_SOFTSERIAL);
        yield* work(10_000);
        loweredAt = nanotime();
        yield* splx(s);
      },
    });
    sim.at(5_000, () => si.raise());
    sim.run();
    expect(ranAt).toBeGreaterThan(loweredAt);
  });

  it("rejects a user's profile built from the ER-4 with a field missing or misspelt, naming it", () => {
    const { contextSwitchCycles: _, ...costs } = er4.costs;
    expect(() => validateProfile({ ...er4, costs }, "my-er4")).toThrow(
      /my-er4\.costs\.contextSwitchCycles: missing; expected a number of cycles/,
    );
    expect(() => validateProfile({ ...er4, clockGhz: 1 }, "my-er4")).toThrow(
      /my-er4\.clockGhz: unknown field/,
    );
    expect(() => validateProfile({ ...er4, cpus: "4" }, "my-er4")).toThrow(
      /my-er4\.cpus: expected a number of CPUs/,
    );
  });
});
