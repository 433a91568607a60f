import { readFileSync } from "node:fs";
import { join } from "node:path";
import { roundProfile, Simulation } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  Collector,
  canonicalJson,
  RESULT_SCHEMA,
  ReportError,
  resultHash,
  validateResult,
} from "../src/index.js";
import { fixtureRun } from "./fixture.js";

describe("the run result", () => {
  const { result } = fixtureRun(1, 5);

  it("validates against its schema, with every part filled from a real run", () => {
    expect(validateResult(JSON.parse(JSON.stringify(result)))).toBeTruthy();
    expect(result.cpus.map((c) => c.busyNs).every((ns) => ns > 0)).toBe(true);
    expect(result.callouts.fired).toBeGreaterThan(0);
    expect(result.watchdog.misses).toBe(1);
    expect(result.series.throughput.bytes.length).toBe(5);
    expect(result.reclamation.gracePeriod.count).toBeGreaterThan(0);
  });

  it("is refused when a part breaks the schema, naming the field", () => {
    const bad = JSON.parse(JSON.stringify(result));
    bad.cpus[1].busyNs = -1;
    bad.hash = resultHash(bad);
    expect(() => validateResult(bad)).toThrow(/^result\.cpus\[1\]\.busyNs: must be >= 0/);
  });

  it("refuses a result of an older schema version, saying which version it is", () => {
    const old = { ...JSON.parse(JSON.stringify(result)), version: 0 };
    expect(() => validateResult(old)).toThrow(ReportError);
    expect(() => validateResult(old)).toThrow(/schema version 0; this smpnet reads version 1/);
  });

  it("refuses a result edited after the run (its hash no longer matches)", () => {
    const edited = JSON.parse(JSON.stringify(result));
    edited.seed = 2;
    expect(() => validateResult(edited)).toThrow(/^result\.hash: /);
  });

  it("hashes the same for the same seed, and differently for another", () => {
    expect(fixtureRun(1, 5).result.hash).toBe(result.hash);
    expect(fixtureRun(2, 5).result.hash).not.toBe(result.hash);
  });

  it("hashes canonical JSON, whatever the order of keys", () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 1.5 }], a: "x" })).toBe(
      '{"a":"x","b":[1,{"c":1.5,"d":2}]}',
    );
  });

  it("leaves the simulation's own results unchanged by collecting", () => {
    const plain = fixtureRun(1, 5, {}, false).sim.hosts[0]!.cpus.map((c) => c.timeSplit());
    expect(result.cpus.map((c) => c.split)).toEqual(plain);
  });

  it("ships the schema as schema/result-v1.json, the same as RESULT_SCHEMA", () => {
    const file = JSON.parse(
      readFileSync(join(import.meta.dirname, "../schema/result-v1.json"), "utf8"),
    );
    expect(file).toEqual(RESULT_SCHEMA);
  });
});

describe("the Collector's options", () => {
  it("refuses a simulation that has started, whose time split it could not account for", () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: "dut", profile: roundProfile(1) });
    sim.run(1_000);
    expect(() => new Collector(sim)).toThrow(
      "Collector: attach before the run starts (the simulation is at 1000 ns already)",
    );
  });

  it("refuses a throughput bin that is not a positive number of ns, naming it", () => {
    expect(() => fixtureRun(1, 1, { throughputBinNs: 0 })).toThrow(
      "Collector: throughputBinNs must be a positive number of ns, got 0",
    );
  });
});
