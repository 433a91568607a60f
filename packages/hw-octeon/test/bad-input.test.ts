/*
 * A user's own profile or NIC is a plain object, often one of ours with a
 * field changed. Whatever is wrong with it must be an error that names the
 * field and says what was expected.
 */
import {
  nicConstants,
  profileConstants,
  SimError,
  validateNic,
  validateProfile,
} from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { er4, er4Nic } from "../src/index.js";

/** A deep copy of `o` with the leaf at `path` replaced (or removed, for `undefined`). */
function withLeaf<T>(o: T, path: string, value: unknown): unknown {
  const copy = structuredClone(o) as Record<string, unknown>;
  const keys = path.split(".");
  let at = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

/** The message validateProfile or validateNic throws, or "" when it accepts. */
function complaint(check: () => unknown): string {
  try {
    check();
    return "";
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    return e.message;
  }
}

describe("a user's profile built from er4", () => {
  it("is rejected, naming the field, when any constant is not a number", () => {
    for (const path of profileConstants(er4)) {
      const msg = complaint(() => validateProfile(withLeaf(er4, path, "4"), "my-er4"));
      expect(msg, path).toMatch(new RegExp(`^my-er4\\.${path.replaceAll(".", "\\.")}: expected`));
    }
  });

  it("is rejected, naming the field and what it holds, when a field is missing", () => {
    for (const path of profileConstants(er4).filter((k) => !k.startsWith("costs.fenceCycles."))) {
      const msg = complaint(() => validateProfile(withLeaf(er4, path, undefined), "my-er4"));
      expect(msg, path).toMatch(new RegExp(`^my-er4\\.${path.replaceAll(".", "\\.")}: missing; `));
    }
    expect(
      complaint(() => validateProfile(withLeaf(er4, "costs.contextSwitchCycles", undefined), "p")),
    ).toBe(
      "p.costs.contextSwitchCycles: missing; expected a number of cycles (switching from one LWP to another)",
    );
  });

  it("is rejected when a field is misspelt, naming the unknown field", () => {
    const { clockGHz, ...rest } = er4;
    expect(complaint(() => validateProfile({ ...rest, clockGhz: clockGHz }, "my-er4"))).toBe(
      [
        "my-er4.clockGHz: missing; expected a clock in GHz",
        "my-er4.clockGhz: unknown field; remove it or check its spelling",
      ].join("\n"),
    );
    const costs = { ...er4.costs, lineTransfersCycles: 50 };
    expect(complaint(() => validateProfile({ ...er4, costs }, "my-er4"))).toBe(
      "my-er4.costs.lineTransfersCycles: unknown field; remove it or check its spelling",
    );
  });

  it("is rejected for values of the right type that make no sense", () => {
    expect(complaint(() => validateProfile({ ...er4, cpus: 0 }, "p"))).toBe(
      "p.cpus: expected at least 1 CPU",
    );
    expect(complaint(() => validateProfile({ ...er4, cpus: 2.5 }, "p"))).toBe(
      "p.cpus: expected a whole number of CPUs",
    );
    expect(
      complaint(() => validateProfile(withLeaf(er4, "costs.fenceCycles.sync", -1), "p")),
    ).toMatch(/^p\.costs\.fenceCycles\.sync: expected a non-negative number of cycles/);
  });

  it("is rejected when its iplLevels decrease, miss a name, or are not whole numbers", () => {
    expect(complaint(() => validateProfile(withLeaf(er4, "iplLevels.IPL_VM", 1), "p"))).toBe(
      "p.iplLevels.IPL_VM: 1 is below IPL_SOFTSERIAL (2); levels must not decrease in the order " +
        "IPL_NONE < IPL_SOFTCLOCK < IPL_SOFTBIO < IPL_SOFTNET < IPL_SOFTSERIAL < IPL_VM < IPL_SCHED < IPL_HIGH",
    );
    // the machine names the field; what it expects there it leaves to the Profile type
    expect(
      complaint(() => validateProfile(withLeaf(er4, "iplLevels.IPL_SCHED", undefined), "p")),
    ).toMatch(/^p\.iplLevels\.IPL_SCHED: missing; /);
    expect(complaint(() => validateProfile(withLeaf(er4, "iplLevels.IPL_HIGH", 5.5), "p"))).toBe(
      "p.iplLevels.IPL_HIGH: expected an integer hardware level",
    );
    expect(complaint(() => validateProfile(withLeaf(er4, "iplLevels.IPL_DDB", 5), "p"))).toBe(
      "p.iplLevels.IPL_DDB: unknown field; remove it or check its spelling",
    );
  });

  it("is rejected when a membar op names a fence it does not price", () => {
    const membarOps = { ...er4.membarOps!, release: ["lwsync"] };
    expect(complaint(() => validateProfile({ ...er4, membarOps }, "p"))).toBe(
      'p.membarOps.release: fence "lwsync" is not in costs.fenceCycles (sync, syncw); add its cost or fix the name',
    );
  });
});

describe("a user's NIC built from er4Nic", () => {
  it("is rejected, naming the field, when any constant has the wrong type", () => {
    for (const path of nicConstants(er4Nic)) {
      const msg = complaint(() => validateNic(withLeaf(er4Nic, path, "x")));
      expect(msg, path).toMatch(new RegExp(`^nic\\.${path.replaceAll(".", "\\.")}: expected`));
    }
  });

  it("is rejected, naming the field and what it holds, when a field is missing", () => {
    for (const path of nicConstants(er4Nic)) {
      const msg = complaint(() => validateNic(withLeaf(er4Nic, path, undefined)));
      expect(msg, path).toMatch(
        new RegExp(`^nic\\.${path.replaceAll(".", "\\.")}: missing; expected`),
      );
    }
    expect(complaint(() => validateNic(withLeaf(er4Nic, "rxRingSize", undefined)))).toBe(
      "nic.rxRingSize: missing; expected a number of receive buffers per receive queue",
    );
    expect(complaint(() => validateNic(withLeaf(er4Nic, "offloads", undefined), "my-nic"))).toBe(
      "my-nic.offloads: missing; expected an object with rxChecksum, txChecksum, tso, lro",
    );
  });

  it("is rejected when a field is misspelt or out of range", () => {
    const { rxRingSize, ...rest } = er4Nic;
    expect(complaint(() => validateNic({ ...rest, rxRingsize: rxRingSize }))).toBe(
      [
        "nic.rxRingSize: missing; expected a number of receive buffers per receive queue",
        "nic.rxRingsize: unknown field; remove it or check its spelling",
      ].join("\n"),
    );
    expect(complaint(() => validateNic({ ...er4Nic, rxRingSize: 0 }))).toBe(
      "nic.rxRingSize: expected at least 1 (a number of receive buffers per receive queue)",
    );
    expect(complaint(() => validateNic({ ...er4Nic, rxProcessLimit: "all" }))).toBe(
      'nic.rxProcessLimit: expected a number of packets per interrupt, or "unlimited" when the driver drains the queue',
    );
    expect(
      complaint(() => validateNic(withLeaf(er4Nic, "interruptModeration.holdoffUs", -1))),
    ).toBe("nic.interruptModeration.holdoffUs: expected a non-negative number of microseconds");
  });

  it("accepts a plain object that is right, with no fields added", () => {
    const mine = { ...er4Nic, name: "my router", ports: 2, rxProcessLimit: 64 };
    expect(validateNic(mine)).toEqual(mine);
  });
});
