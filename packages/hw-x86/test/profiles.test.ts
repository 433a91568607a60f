import {
  fenceNs,
  IPL_HIGH,
  IPL_SCHED,
  IPL_SOFTBIO,
  IPL_SOFTCLOCK,
  IPL_SOFTNET,
  IPL_SOFTSERIAL,
  ipiNs,
  load,
  nanotime,
  nicSourceGaps,
  nsPerSharedAdd,
  PRI_KERNEL,
  preempts,
  profileSourceGaps,
  Simulation,
  store,
  validateNic,
  validateProfile,
  work,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { x86, x86Nic, x86NicSources, x86Sources } from "../src/index.js";

const ns = (cycles: number) => cycles / x86.clockGHz;

describe("the shipped x86 profile", () => {
  it("passes the machine's profile check", () => {
    expect(validateProfile(x86)).toEqual(x86);
  });

  it("gives a source for every constant and none for what it does not have", () => {
    const { missing, stale } = profileSourceGaps(x86, x86Sources);
    expect(missing).toEqual([]);
    // membarOps are lists of fence names, which profileConstants does not walk
    expect(stale).toEqual(["membarOps.acquire", "membarOps.release", "membarOps.sync"]);
  });

  it("labels every source: where the number comes from, or that it is an estimate", () => {
    const labelled = /^(source|vendor|estimate|unverified|measured|chosen)\b/;
    expect(Object.keys(x86Sources).filter((k) => !labelled.test(x86Sources[k]!))).toEqual([]);
    expect(Object.keys(x86NicSources).filter((k) => !labelled.test(x86NicSources[k]!))).toEqual([]);
  });

  it("has a NIC that passes validateNic, with a source for each of its constants", () => {
    expect(validateNic(x86Nic)).toEqual(x86Nic);
    expect(nicSourceGaps(x86Nic, x86NicSources)).toEqual({ missing: [], stale: [] });
  });

  it("is rejected, naming the field, when a user's copy gets a field wrong", () => {
    expect(() => validateProfile({ ...x86, cacheLineBytes: "64" }, "my-x86")).toThrow(
      "my-x86.cacheLineBytes: expected a cache-line size in bytes",
    );
    expect(() =>
      validateProfile({ ...x86, membarOps: { ...x86.membarOps!, sync: ["mfnece"] } }, "my-x86"),
    ).toThrow(
      'my-x86.membarOps.sync: fence "mfnece" is not in costs.fenceCycles (mfence, lock-add)',
    );
    expect(() => validateNic({ ...x86Nic, speedMbps: 10.5 })).toThrow(
      "nic.speedMbps: expected a whole number (a link speed in Mbit/s, e.g. 1000)",
    );
  });
});

describe("x86 on the machine", () => {
  it("pays about a line transfer per increment of a counter two CPUs share, and only hits alone", () => {
    const c = x86.costs;
    expect(nsPerSharedAdd(x86, 1)).toBeCloseTo(ns(c.cacheHitCycles + c.atomicRmwCycles), 0);
    expect(nsPerSharedAdd(x86, 2)).toBeCloseTo(ns(c.lineTransferCycles), 0);
    // sixteen CPUs queue for the same line: no faster in all than two
    expect(nsPerSharedAdd(x86, 16, 50)).toBeCloseTo(ns(c.lineTransferCycles), 0);
  });

  it("hands a line written on one core to a reader on another at the transfer cost", () => {
    const sim = new Simulation({ seed: 1 });
    const host = sim.addHost({ name: "x86", profile: x86 });
    const line = host.cacheline("flag", 0);
    const reads: number[] = [];
    host.kthread_create({
      name: "writer",
      pri: PRI_KERNEL,
      cpu: 0,
      bound: true,
      *body() {
        yield* store(line, 1);
      },
    });
    host.kthread_create({
      name: "reader",
      pri: PRI_KERNEL,
      cpu: 1,
      bound: true,
      *body() {
        yield* work(30_000);
        for (let i = 0; i < 2; i++) {
          const t0 = nanotime();
          yield* load(line);
          reads.push(nanotime() - t0);
        }
      },
    });
    sim.run();
    // 150 cycles at 3 GHz: 50 ns; then a hit, 4 cycles (to the machine's 2^-10 ns quantum)
    expect(reads[0]).toBe(50);
    expect(reads[1]).toBeCloseTo(4 / 3, 3);
  });

  it("prices mfence and membar_sync's locked add, and refuses MIPS fences", () => {
    expect(fenceNs(x86, "mfence")).toBe(11);
    expect(fenceNs(x86, "lock-add")).toBeCloseTo(20 / 3, 3);
    expect(() => fenceNs(x86, "syncw")).toThrow(
      'membar: profile x86 has no fence "syncw"; it has: mfence, lock-add',
    );
  });

  it("delivers an IPI's handler 1.5 us after the send, the estimated end-to-end time", () => {
    expect(ipiNs(x86, IPL_SCHED)).toBe(1_500);
  });

  it("gives every IPL its own level, so no soft level holds off another above it", () => {
    expect(preempts(x86, IPL_SOFTNET, IPL_SOFTSERIAL)).toBe(true);
    expect(preempts(x86, IPL_SOFTCLOCK, IPL_SOFTBIO)).toBe(true);
    expect(preempts(x86, IPL_SOFTSERIAL, IPL_SOFTNET)).toBe(false);
    expect(preempts(x86, IPL_SCHED, IPL_HIGH)).toBe(true);
  });
});
