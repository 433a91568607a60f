import { Simulation } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { type Frame, Link, validateWire, wireBytes } from "../src/index.js";
import { wireDirection } from "../src/wire.js";

function link(cfg: Record<string, unknown>) {
  const sim = new Simulation({ seed: 7 });
  const arrivals: { t: number; id: number; corrupt: boolean }[] = [];
  const l = new Link(
    sim,
    validateWire({ speedMbps: 1_000, delayNs: 0, mtuBytes: 1_500, ...cfg }),
    {
      frameArrived(f: Frame) {
        arrivals.push({ t: sim.now, id: f.id, corrupt: f.corrupt });
        l.release(f);
      },
    },
    sim.rng,
  );
  const send = (n: number, bytes = 1_500, dataLen = 0) => {
    for (let i = 1; i <= n; i++) {
      const f = l.frame();
      f.len = bytes;
      f.id = i;
      f.data_len = dataLen;
      f.corrupt = false;
      l.transmit(f);
    }
  };
  return { sim, l, arrivals, send };
}

describe("the wire", () => {
  it("delivers back-to-back full-size frames at 1 Gbit/s 12.304 us apart, one delay after they leave", () => {
    const w = link({ delayNs: 5_000 });
    w.send(10);
    w.sim.run();
    const gaps = w.arrivals.slice(1).map((a, i) => a.t - w.arrivals[i]!.t);
    expect(gaps).toEqual(Array(9).fill(12_304));
    // the first frame's last bit: preamble + 1518 bytes at 8 ns a byte, then the delay
    expect(w.arrivals[0]!.t).toBe((8 + 1_518) * 8 + 5_000);
  });

  it("makes TCP's goodput limit on 1 GbE 941.5 Mbit/s (1448 of every 1538 bytes)", () => {
    expect(wireBytes(1_500)).toBe(1_538);
    expect((1_448 / wireBytes(1_500)) * 1_000).toBeCloseTo(941.48, 2);
    // a minimum frame is padded to 64 bytes
    expect(wireBytes(28)).toBe(8 + 64 + 12);
  });

  it("loses, duplicates, reorders and corrupts frames at the rates asked, from the seed", () => {
    const w = link({ lossRate: 0.1, duplicateRate: 0.1, reorderRate: 0.1, corruptRate: 0.1 });
    w.send(10_000, 100);
    w.sim.run();
    const s = w.l.stats;
    // a lost frame meets no other fate: the other rates are of the frames that survive;
    // 0.1 +- 0.015 is 4.7 standard deviations of a share of 9,000-10,000 draws
    const survivors = 10_000 - s.lost;
    for (const share of [
      s.lost / 10_000,
      ...[s.duplicated, s.reordered, s.corrupted].map((n) => n / survivors),
    ]) {
      expect(share).toBeGreaterThan(0.085);
      expect(share).toBeLessThan(0.115);
    }
    expect(w.arrivals.length).toBe(survivors + s.duplicated);
    expect(w.arrivals.filter((a) => a.corrupt).length).toBeGreaterThanOrEqual(s.corrupted);
    const ids = w.arrivals.map((a) => a.id);
    expect(ids).not.toEqual([...ids].sort((a, b) => a - b));
    // same seed, same fates
    const again = link({ lossRate: 0.1, duplicateRate: 0.1, reorderRate: 0.1, corruptRate: 0.1 });
    again.send(10_000, 100);
    again.sim.run();
    expect(again.arrivals).toEqual(w.arrivals);
  });

  it("drops the listed frames carrying data, counting neither bare ACKs nor the seed", () => {
    const w = link({ dropData: [2, 5] });
    w.send(3, 52); // bare ACKs: not counted
    w.send(6, 1_500, 1_448); // ids 1..6 again, now with data
    w.send(2, 52);
    w.sim.run();
    const data = w.arrivals.slice(3, 7).map((a) => a.id);
    expect(data).toEqual([1, 3, 4, 6]);
    expect(w.arrivals.length).toBe(3 + 4 + 2);
    expect(w.l.stats.dropped).toBe(2);
    expect(w.l.stats.lost).toBe(0);
  });

  it("impairs only the direction `impair` names", () => {
    const w = validateWire({
      speedMbps: 1_000,
      delayNs: 0,
      mtuBytes: 1_500,
      lossRate: 0.5,
      corruptRate: 0.1,
      dropData: [3],
      impair: "toPeer",
    });
    expect(wireDirection(w, "toPeer")).toBe(w);
    const quiet = wireDirection(w, "toDut");
    expect([quiet.lossRate, quiet.corruptRate, quiet.dropData]).toEqual([0, 0, []]);
    expect(quiet.speedMbps).toBe(1_000);
    expect(wireDirection({ ...w, impair: "both" }, "toDut").lossRate).toBe(0.5);
  });

  it("rejects a bad description, naming the field and the fix", () => {
    const ok = { speedMbps: 1_000, delayNs: 0, mtuBytes: 1_500 };
    expect(() => validateWire({ ...ok, mtuBytes: 60 })).toThrow(
      /wire\.mtuBytes: expected an MTU of at least 68 bytes/,
    );
    expect(() => validateWire({ ...ok, delayNs: -1 })).toThrow(
      /wire\.delayNs: expected a non-negative number of nanoseconds/,
    );
    expect(() => validateWire({ ...ok, lossRate: 1.5 })).toThrow(
      /wire\.lossRate: expected a probability from 0 to 1/,
    );
    expect(() => validateWire({ ...ok, dropData: [0] })).toThrow(
      /wire\.dropData\.0: expected frame indices from 1/,
    );
    expect(() => validateWire({ ...ok, dropData: 5 })).toThrow(
      /wire\.dropData: expected a list of frame indices/,
    );
    expect(() => validateWire({ ...ok, impair: "up" })).toThrow(
      /wire\.impair: expected "both", "toPeer" or "toDut"/,
    );
    expect(() => validateWire({ ...ok, jitterNs: 5 })).toThrow(/wire\.jitterNs: unknown field/);
    expect(() => validateWire({ delayNs: 0, mtuBytes: 1_500 })).toThrow(/wire\.speedMbps: missing/);
  });
});
