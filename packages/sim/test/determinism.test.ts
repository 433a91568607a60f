import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACCT_NAMES, type Cpu, LSRUN, type Lwp, Simulation } from "../src/index.js";
import { machine, testProfile } from "./fixtures.js";
import { randomWorkload } from "./workload.js";

function probeStream(seed: number): string[] {
  const { sim, host } = machine(4, {}, seed);
  const out: string[] = [];
  const name = (x: unknown) =>
    x && typeof x === "object" && "name" in x ? String((x as Cpu | Lwp).name) : String(x);
  sim.probes.subscribeAll((probe, t, args) =>
    out.push(`${t} ${probe} ${args.map(name).join(" ")}`),
  );
  randomWorkload(sim, host, 8);
  sim.run();
  return out;
}

describe("determinism", () => {
  it("gives identical probe streams for one seed and different ones for another", () => {
    const a = probeStream(42);
    const b = probeStream(42);
    const c = probeStream(43);
    expect(a.length).toBeGreaterThan(500);
    const kinds = new Set(a.map((line) => line.split(" ")[1]));
    expect(kinds.size).toBeGreaterThanOrEqual(9);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});

/** The random workload, with operations carried out in place (ops.ts) or all through the loop. */
function inPlaceRun(seed: number, inPlace: boolean) {
  const sim = new Simulation({ seed, inPlace });
  const host = sim.addHost({ name: "sut", profile: testProfile(4) });
  const out: string[] = [];
  sim.probes.subscribeAll((probe, t, args) => out.push(`${t} ${probe} ${args.length}`));
  randomWorkload(sim, host, 8);
  sim.run();
  const splits = host.cpus.map((c) => c.timeSplit());
  const suspensions = host.cpus.reduce((n, c) => n + c.ops, 0);
  return { out, splits, suspensions };
}

describe("operations carried out in place", () => {
  it("give the run that the machine's loop gives, to the bit", () => {
    for (const seed of [42, 7]) {
      const inPlace = inPlaceRun(seed, true);
      const looped = inPlaceRun(seed, false);
      expect(inPlace.out.length).toBeGreaterThan(500);
      expect(inPlace.out).toEqual(looped.out);
      expect(inPlace.splits).toEqual(looped.splits);
      // and the in-place path was taken: far fewer generator suspensions
      expect(inPlace.suspensions).toBeLessThan(looped.suspensions * 0.7);
    }
  });
});

describe("accounting", () => {
  it("splits each CPU's time into classes that sum exactly to the elapsed time", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 10_000, max: 3_000_000 }),
        fc.constantFrom(1, 1.8, 3, 0.7),
        (seed, cpus, threads, untilNs, clockGHz) => {
          const { sim, host } = machine(cpus, { quantumNs: 200_000 }, seed, clockGHz);
          randomWorkload(sim, host, threads);
          sim.run(untilNs);
          for (const cpu of host.cpus) {
            const split = cpu.timeSplit();
            expect(Object.keys(split)).toEqual([...ACCT_NAMES]);
            let sum = 0;
            for (const v of Object.values(split)) {
              expect(v).toBeGreaterThanOrEqual(0);
              sum += v;
            }
            expect(sum).toBe(untilNs);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("scheduling invariants under random workloads", () => {
  it("never runs one LWP on two CPUs, nor a bound LWP off its CPU", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 2, max: 4 }),
        (seed, cpus) => {
          const { sim, host } = machine(
            cpus,
            { quantumNs: 100_000, kernelPreemption: seed % 2 === 0 },
            seed,
          );
          const onproc = new Map<Lwp, Cpu>();
          let switches = 0;
          sim.probe.context_switch.subscribe((_t, cpu, from, to) => {
            switches++;
            if (onproc.get(from) === cpu) onproc.delete(from);
            if (to !== cpu.idlelwp) {
              expect(onproc.has(to)).toBe(false);
              onproc.set(to, cpu);
              if (to.bound) expect(cpu).toBe(to.cpu);
            }
          });
          randomWorkload(sim, host, 6);
          sim.run();
          expect(switches).toBeGreaterThan(0);
          // when nothing is left to happen, no LWP may still be waiting for a CPU (a lost kick)
          expect(host.lwps.filter((l) => l.state === LSRUN).map(String)).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
