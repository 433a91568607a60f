import {
  fenceNs,
  IPL_HIGH,
  IPL_SCHED,
  IPL_SOFTBIO,
  IPL_SOFTCLOCK,
  IPL_SOFTNET,
  IPL_SOFTSERIAL,
  IPL_VM,
  ipiNs,
  type Nic,
  nicSourceGaps,
  nsPerSharedAdd,
  type Profile,
  preempts,
  profileSourceGaps,
  validateNic,
  validateProfile,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  cn78xx,
  cn78xxNic,
  cn78xxNicSources,
  cn78xxSources,
  er4,
  er4Nic,
  er4NicSources,
  er4Sources,
} from "../src/index.js";

const shipped: [
  Profile,
  Readonly<Record<string, string>>,
  Nic,
  Readonly<Record<string, string>>,
][] = [
  [er4, er4Sources, er4Nic, er4NicSources],
  [cn78xx, cn78xxSources, cn78xxNic, cn78xxNicSources],
];

const ns = (p: Profile, cycles: number) => cycles / p.clockGHz;

describe("the shipped Octeon profiles", () => {
  for (const [p, sources, nic, nicSources] of shipped) {
    it(`${p.name} passes the machine's profile check`, () => {
      expect(validateProfile(p)).toEqual(p);
    });

    it(`${p.name} gives a source for every constant and none for what it does not have`, () => {
      const { missing, stale } = profileSourceGaps(p, sources);
      expect(missing).toEqual([]);
      // membarOps are lists of fence names, which profileConstants does not
      // walk; their sources are the only entries it cannot place
      expect(stale).toEqual(Object.keys(p.membarOps ?? {}).map((op) => `membarOps.${op}`));
    });

    it(`${p.name}'s sources each say where the number comes from or that it is an estimate`, () => {
      const labelled = /^(source|vendor|estimate|unverified|measured|chosen)\b/;
      const unlabelled = Object.entries(sources).filter(([, s]) => !labelled.test(s));
      expect(unlabelled.map(([k]) => k)).toEqual([]);
    });

    it(`${p.name}'s NIC passes validateNic and gives a source for each of its constants`, () => {
      expect(validateNic(nic)).toEqual(nic);
      expect(nicSourceGaps(nic, nicSources)).toEqual({ missing: [], stale: [] });
    });
  }
});

describe("er4 on the machine", () => {
  it("pays about a line transfer per increment of a counter two CPUs share, and only hits alone", () => {
    const c = er4.costs;
    // one CPU: a hit and the LL/SC on a line it owns, after one first transfer
    expect(nsPerSharedAdd(er4, 1)).toBeCloseTo(ns(er4, c.cacheHitCycles + c.atomicRmwCycles), 0);
    // two CPUs: the line moves at every increment and its transfers queue
    expect(nsPerSharedAdd(er4, 2)).toBeCloseTo(ns(er4, c.lineTransferCycles), 0);
  });

  it("prices sync and syncw and refuses a fence the Octeon does not have", () => {
    expect(fenceNs(er4, "sync")).toBe(100);
    expect(fenceNs(er4, "syncw")).toBe(10);
    expect(() => fenceNs(er4, "mfence")).toThrow(
      'membar: profile er4 has no fence "mfence"; it has: sync, syncw',
    );
  });

  it("delivers an IPI's handler 1.5 us after the send, the sourced end-to-end time", () => {
    expect(ipiNs(er4, IPL_SCHED)).toBe(1_500);
  });

  it("folds the soft IPLs in pairs as NetBSD's MIPS port does", () => {
    // splsoftserial holds off softnet and splsoftnet holds off softserial: one level
    expect(preempts(er4, IPL_SOFTSERIAL, IPL_SOFTNET)).toBe(false);
    expect(preempts(er4, IPL_SOFTNET, IPL_SOFTSERIAL)).toBe(false);
    // softbio shares softclock's level, below softnet's
    expect(preempts(er4, IPL_SOFTCLOCK, IPL_SOFTBIO)).toBe(false);
    expect(preempts(er4, IPL_SOFTBIO, IPL_SOFTNET)).toBe(true);
    expect(preempts(er4, IPL_SOFTSERIAL, IPL_VM)).toBe(true);
  });

  it("keeps IPL_HIGH above IPL_SCHED, as mips/include/intr.h does (IPL_DDB between)", () => {
    expect(preempts(er4, IPL_SCHED, IPL_HIGH)).toBe(true);
    expect(preempts(er4, IPL_HIGH, IPL_SCHED)).toBe(false);
  });
});

describe("cn78xx on the machine", () => {
  it("pays about a line transfer per increment of a counter four CPUs share", () => {
    const c = cn78xx.costs;
    expect(nsPerSharedAdd(cn78xx, 1)).toBeCloseTo(
      ns(cn78xx, c.cacheHitCycles + c.atomicRmwCycles),
      0,
    );
    expect(nsPerSharedAdd(cn78xx, 4, 200)).toBeCloseTo(ns(cn78xx, c.lineTransferCycles), 0);
  });

  it("prices a sync at its 160 cycles, 80 ns at 2 GHz", () => {
    expect(fenceNs(cn78xx, "sync")).toBe(80);
  });

  it("delivers an IPI's handler 1.5 us after the send, as on the ER-4", () => {
    expect(ipiNs(cn78xx, IPL_SCHED)).toBe(1_500);
  });

  it("can run a thread on each of its 48 CPUs", () => {
    expect(nsPerSharedAdd(cn78xx, 48, 10)).toBeCloseTo(
      ns(cn78xx, cn78xx.costs.lineTransferCycles),
      0,
    );
  });
});
