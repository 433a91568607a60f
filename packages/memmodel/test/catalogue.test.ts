import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOGUE, catalogueFiles, verifyCatalogue } from "../src/index.js";

const rows = verifyCatalogue();
const LITMUS = join(import.meta.dirname, "../litmus");

/**
 * The rows that must come out unsafe, by reasoning (and as herd7 7.57 also
 * answers for litmus/): every other row is safe.
 * - smr, epoch: the reader's store-load fence and the writer's fence between
 *   unlink and scan form a store-buffering pair: drop either and both weak
 *   models let the writer miss the reader while the reader finds the object.
 * - mp, seqlock: a writer's stores need ordering on mips (PSO-like); its
 *   reader's loads stay in order there, and x86-TSO orders both.
 * - pserialize: the cross-call is a chain of reads before writes (reader's
 *   loads, then its acknowledgement; the writer's read of it, then the
 *   free), which both models keep in order: no fence is needed.
 */
const UNSAFE = [
  "smr MIPS mips without-smr_advance",
  "smr MIPS mips without-smr_enter",
  "smr X86 x86tso without-smr_advance",
  "smr X86 x86tso without-smr_enter",
  "epoch MIPS mips without-epoch_synchronize",
  "epoch MIPS mips without-epoch_enter",
  "epoch X86 x86tso without-epoch_synchronize",
  "epoch X86 x86tso without-epoch_enter",
  "mp MIPS mips without-membar_producer",
  "seqlock MIPS mips without-write_begin",
  "seqlock MIPS mips without-write_end",
];

describe("the reclamation catalogue", () => {
  it("has the five patterns, each under sc and its architecture's model", () => {
    expect(CATALOGUE.map((p) => p.name)).toEqual(["smr", "epoch", "pserialize", "mp", "seqlock"]);
    for (const p of CATALOGUE) {
      const models = new Set(rows.filter((r) => r.pattern === p.name).map((r) => r.model));
      expect([...models].sort()).toEqual(["mips", "sc", "x86tso"]);
    }
  });

  it("is safe as the kernels fence it, under every model", () => {
    expect(rows.filter((r) => r.variant === "as-kernel" && !r.safe)).toEqual([]);
  });

  it("is unsafe exactly where a needed fence is removed, and never under sc", () => {
    const unsafe = rows
      .filter((r) => !r.safe)
      .map((r) => `${r.pattern} ${r.arch} ${r.model} ${r.variant}`);
    expect(unsafe).toEqual(UNSAFE);
  });

  it("shows, for each unsafe row, an execution that sc forbids", () => {
    for (const r of rows.filter((r) => !r.safe)) {
      expect(r.result.witness, `${r.pattern} ${r.variant}`).toBeDefined();
    }
  });

  it("writes litmus/ as the generator spells it (node scripts/write-catalogue.mjs)", () => {
    const files = catalogueFiles();
    const onDisk = ["MIPS", "X86"].flatMap((a) =>
      readdirSync(join(LITMUS, a)).map((f) => `${a}/${f}`),
    );
    expect(onDisk.sort()).toEqual(files.map((f) => f.path).sort());
    for (const f of files) expect(readFileSync(join(LITMUS, f.path), "utf8")).toBe(f.text);
  });
});
