import { describe, expect, it } from "vitest";
import {
  IPL_NONE,
  type Ipl,
  ipi_send,
  type KernelGen,
  load,
  PRI_KERNEL,
  SimError,
  Simulation,
  sleep,
  splraise,
  validateProfile,
  work,
} from "../src/index.js";
import { machine, testProfile } from "./fixtures.js";

function runBody(body: () => KernelGen<unknown>): () => void {
  return () => {
    const { sim, host } = machine(1);
    host.kthread_create({ name: "t", pri: PRI_KERNEL, body });
    sim.run();
  };
}

describe("bad input", () => {
  it("rejects negative or non-finite cycles, naming the operation", () => {
    expect(
      runBody(function* () {
        yield* work(-5);
      }),
    ).toThrow(
      /work: cycles must be a non-negative finite number, got -5 \[at 1000 ns on sut\/cpu0, in sut\/t\]/,
    );
    expect(
      runBody(function* () {
        yield* work(Number.NaN);
      }),
    ).toThrow(SimError);
  });

  it("rejects an unknown IPL", () => {
    expect(
      runBody(function* () {
        yield* splraise(42 as Ipl);
      }),
    ).toThrow(/splraise: unknown IPL 42; use one of IPL_NONE, IPL_SOFTCLOCK/);
  });

  it("rejects an IPI at IPL_NONE", () => {
    expect(
      runBody(function* () {
        yield* ipi_send(0, function* () {}, IPL_NONE);
      }),
    ).toThrow(
      "ipi: unknown IPL 0; an IPI runs at an IPL above IPL_NONE (IPL_SOFTCLOCK .. IPL_HIGH)",
    );
  });

  it("rejects a CPU that does not exist", () => {
    const { host } = machine(4);
    expect(() => host.cpu(7)).toThrow("host sut: no cpu 7 (it has 4: 0-3)");
    expect(() => host.kthread_create({ name: "t", pri: PRI_KERNEL, cpu: 9, *body() {} })).toThrow(
      /no cpu 9/,
    );
  });

  it("names a cost missing from a profile and a field that is wrong", () => {
    const costs: Partial<ReturnType<typeof testProfile>["costs"]> = { ...testProfile(2).costs };
    delete costs.lineTransferCycles;
    const p = { ...testProfile(2), cpus: 0, costs };
    expect(() => validateProfile(p)).toThrow(
      /profile\.cpus: expected at least 1 CPU[\s\S]*profile\.costs\.lineTransferCycles: missing; expected a number of cycles \(moving a line from another CPU or the shared cache\)/,
    );
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.addHost({ name: "x", profile: { ...testProfile(1), clockGhz: 1 } })).toThrow(
      /host x: profile\.clockGhz: unknown field; remove it or check its spelling/,
    );
  });

  it("names a missing IPL level with what it expects", () => {
    const { IPL_VM: _, ...iplLevels } = {
      IPL_NONE: 0,
      IPL_SOFTCLOCK: 1,
      IPL_SOFTBIO: 1,
      IPL_SOFTNET: 2,
      IPL_SOFTSERIAL: 2,
      IPL_VM: 3,
      IPL_SCHED: 4,
      IPL_HIGH: 6,
    };
    expect(() => validateProfile({ ...testProfile(1), iplLevels })).toThrow(
      "profile.iplLevels.IPL_VM: missing; expected a hardware level",
    );
  });

  it("rejects IPL levels that decrease", () => {
    const levels = {
      IPL_NONE: 0,
      IPL_SOFTCLOCK: 1,
      IPL_SOFTBIO: 1,
      IPL_SOFTNET: 2,
      IPL_SOFTSERIAL: 2,
      IPL_VM: 1,
      IPL_SCHED: 4,
      IPL_HIGH: 4,
    };
    expect(() => validateProfile({ ...testProfile(1), iplLevels: levels })).toThrow(
      /profile\.iplLevels\.IPL_VM: 1 is below IPL_SOFTSERIAL \(2\)/,
    );
  });

  it("rejects membar_ops naming a fence the profile does not cost", () => {
    const membarOps = { acquire: [], release: ["syncw"], sync: ["mfence"] };
    expect(() => validateProfile({ ...testProfile(1), membarOps })).toThrow(
      'profile.membarOps.sync: fence "mfence" is not in costs.fenceCycles (sync, syncw); add its cost or fix the name',
    );
  });

  it("refuses to let an interrupt handler sleep", () => {
    const { sim, host } = machine(1);
    const ih = host.intr_establish({
      name: "dev",
      ipl: 5,
      cpu: 0,
      *handler() {
        yield* sleep("x");
      },
    });
    sim.at(10, () => ih.raise());
    expect(() => sim.run()).toThrow(/sleep: interrupt handler dev may not sleep/);
  });

  it("rejects a cache line of another host and a fence the profile lacks", () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.addHost({ name: "a", profile: testProfile(1) });
    const b = sim.addHost({ name: "b", profile: testProfile(1) });
    const line = b.cacheline("x");
    a.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        yield* load(line);
      },
    });
    expect(() => sim.run()).toThrow(/load: line x belongs to host b, not a/);
  });

  it("stops a zero-time livelock on an ideal host with a message", () => {
    const sim = new Simulation({ seed: 1 });
    const h = sim.addHost({ name: "peer", profile: testProfile(1), ideal: true });
    h.kthread_create({
      name: "loop",
      pri: PRI_KERNEL,
      *body() {
        for (;;) yield* work(1);
      },
    });
    expect(() => sim.run()).toThrow(
      /livelock: peer\/cpu0 ran 10000000 operations without time passing/,
    );
  });

  it("rejects a bad seed and a bad quantum", () => {
    expect(() => new Simulation({ seed: 1.5 })).toThrow("seed: expected an integer, got 1.5");
    expect(() => new Simulation({ seed: 1, inPlace: "yes" as unknown as boolean })).toThrow(
      "Simulation: inPlace must be true or false, got yes",
    );
    expect(() => machine(1, { quantumNs: 0 })).toThrow(
      /quantumNs must be a positive number of ns, got 0/,
    );
  });
});
