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
import { x86, x86Nic } from "../src/index.js";

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

describe("a user's profile built from x86", () => {
  it("is rejected, naming the field, when any constant is not a number", () => {
    for (const path of profileConstants(x86)) {
      const msg = complaint(() => validateProfile(withLeaf(x86, path, "4"), "my-x86"));
      expect(msg, path).toMatch(new RegExp(`^my-x86\\.${path.replaceAll(".", "\\.")}: expected`));
    }
  });

  it("is rejected, naming the field and what it holds, when a field is missing", () => {
    for (const path of profileConstants(x86).filter((k) => !k.startsWith("costs.fenceCycles."))) {
      const msg = complaint(() => validateProfile(withLeaf(x86, path, undefined), "my-x86"));
      expect(msg, path).toMatch(new RegExp(`^my-x86\\.${path.replaceAll(".", "\\.")}: missing; `));
    }
    expect(
      complaint(() => validateProfile(withLeaf(x86, "costs.contextSwitchCycles", undefined), "p")),
    ).toBe(
      "p.costs.contextSwitchCycles: missing; expected a number of cycles (switching from one LWP to another)",
    );
  });
});

describe("a user's NIC built from x86Nic", () => {
  it("is rejected, naming the field, when any constant has the wrong type", () => {
    for (const path of nicConstants(x86Nic)) {
      const msg = complaint(() => validateNic(withLeaf(x86Nic, path, "x")));
      expect(msg, path).toMatch(new RegExp(`^nic\\.${path.replaceAll(".", "\\.")}: expected`));
    }
  });

  it("is rejected, naming the field and what it holds, when a field is missing", () => {
    for (const path of nicConstants(x86Nic)) {
      const msg = complaint(() => validateNic(withLeaf(x86Nic, path, undefined)));
      expect(msg, path).toMatch(
        new RegExp(`^nic\\.${path.replaceAll(".", "\\.")}: missing; expected`),
      );
    }
    expect(complaint(() => validateNic(withLeaf(x86Nic, "rxRingSize", undefined)))).toBe(
      "nic.rxRingSize: missing; expected a number of receive buffers per receive queue",
    );
    expect(complaint(() => validateNic(withLeaf(x86Nic, "offloads", undefined), "my-nic"))).toBe(
      "my-nic.offloads: missing; expected an object with rxChecksum, txChecksum, tso, lro",
    );
  });

  it("is rejected when a field is misspelt or out of range", () => {
    const { rxRingSize, ...rest } = x86Nic;
    expect(complaint(() => validateNic({ ...rest, rxRingsize: rxRingSize }))).toBe(
      [
        "nic.rxRingSize: missing; expected a number of receive buffers per receive queue",
        "nic.rxRingsize: unknown field; remove it or check its spelling",
      ].join("\n"),
    );
    expect(complaint(() => validateNic({ ...x86Nic, rxRingSize: 0 }))).toBe(
      "nic.rxRingSize: expected at least 1 (a number of receive buffers per receive queue)",
    );
    expect(complaint(() => validateNic({ ...x86Nic, rxProcessLimit: "all" }))).toBe(
      'nic.rxProcessLimit: expected a number of packets per interrupt, or "unlimited" when the driver drains the queue',
    );
    expect(
      complaint(() => validateNic(withLeaf(x86Nic, "interruptModeration.holdoffUs", -1))),
    ).toBe("nic.interruptModeration.holdoffUs: expected a non-negative number of microseconds");
  });

  it("accepts a plain object that is right, with no fields added", () => {
    const mine = { ...x86Nic, name: "my router", ports: 2, rxProcessLimit: 64 };
    expect(validateNic(mine)).toEqual(mine);
  });
});
