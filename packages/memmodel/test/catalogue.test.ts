import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOGUE, catalogueFiles, type Pattern, verifyCatalogue } from "../src/index.js";

const rows = verifyCatalogue();
const LITMUS = join(import.meta.dirname, "../litmus");
const row = (pattern: string, arch: string, model: string, variant: string) =>
  rows.find(
    (r) => r.pattern === pattern && r.arch === arch && r.model === model && r.variant === variant,
  );

/**
 * The rows that must come out unsafe, by reasoning (and as herd7 7.57 also
 * answers for litmus/): every other row is safe.
 * - smr, epoch: the reader's store-load fence and the writer's fence between
 *   unlink and scan form a store-buffering pair: drop either and both weak
 *   models let the writer miss the reader while the reader finds the object.
 *   smr's writer on MIPS has two syncs before the advance (smr_advance's
 *   release fence, smr_default_advance's acquire load of s_rd_seq): only
 *   without both may the new sequence be seen before the unlink. On x86 both
 *   are compiler barriers and the locked fetchadd is the fence: a plain add
 *   lets the poll's load pass the unlink.
 * - mp, seqlock: a writer's stores need ordering on mips (PSO-like); its
 *   reader's loads stay in order there, and x86-TSO orders both.
 * - pserialize: the cross-call is a chain of reads before writes (reader's
 *   loads, then its acknowledgement; the writer's read of it, then the
 *   free), which both models keep in order: no fence is needed. A writer
 *   that does not wait for it frees under a reader, under every model.
 */
const UNSAFE = [
  "smr MIPS mips without-smr_enter",
  "smr MIPS mips without-smr_advance+smr_default_advance",
  "smr X86 x86tso without-smr_enter",
  "smr X86 x86tso plain-atomic_fetchadd_int",
  "epoch MIPS mips without-epoch_synchronize",
  "epoch MIPS mips without-epoch_enter",
  "epoch X86 x86tso without-epoch_synchronize",
  "epoch X86 x86tso without-epoch_enter",
  "pserialize MIPS mips without-xc_wait",
  "pserialize MIPS sc without-xc_wait",
  "pserialize X86 x86tso without-xc_wait",
  "pserialize X86 sc without-xc_wait",
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

  it("is safe as the kernels have it, under every model", () => {
    expect(rows.filter((r) => r.variant === "as-kernel" && !r.safe)).toEqual([]);
  });

  it("is unsafe exactly where a needed fence, atomic or wait is removed", () => {
    const unsafe = rows
      .filter((r) => !r.safe)
      .map((r) => `${r.pattern} ${r.arch} ${r.model} ${r.variant}`);
    expect(unsafe).toEqual(UNSAFE);
  });

  it("frees under a reader when pserialize does not wait, under sc, x86tso and mips", () => {
    const noWait = ["sc", "x86tso", "mips"].map((m) =>
      row("pserialize", m === "x86tso" ? "X86" : "MIPS", m, "without-xc_wait"),
    );
    for (const r of noWait) {
      expect(r?.removes).toBe("synchronisation");
      expect(r?.safe).toBe(false);
    }
    expect(row("pserialize", "X86", "sc", "without-xc_wait")?.safe).toBe(false);
  });

  it("names what each variant removes, and only the synchronisation matters under sc", () => {
    for (const r of rows) {
      const kind =
        r.variant === "as-kernel"
          ? "nothing"
          : r.variant.startsWith("plain-")
            ? "atomic"
            : r.variant === "without-xc_wait"
              ? "synchronisation"
              : "fence";
      expect(r.removes, `${r.pattern} ${r.variant}`).toBe(kind);
      if (r.model === "sc" && !r.safe) expect(r.removes).toBe("synchronisation");
    }
  });

  it("splits smr_advance: MIPS needs one of its syncs, x86 its locked add", () => {
    expect(row("smr", "MIPS", "mips", "without-smr_advance")?.safe).toBe(true);
    expect(row("smr", "MIPS", "mips", "without-smr_default_advance")?.safe).toBe(true);
    expect(row("smr", "MIPS", "mips", "without-smr_advance+smr_default_advance")?.safe).toBe(false);
    expect(row("smr", "MIPS", "mips", "plain-atomic_fetchadd_int")?.safe).toBe(true);
    // atomic_thread_fence_rel is a compiler barrier on x86: no X86 test leaves it out
    expect(row("smr", "X86", "x86tso", "without-smr_advance")).toBeUndefined();
    expect(row("smr", "X86", "x86tso", "plain-atomic_fetchadd_int")?.safe).toBe(false);
  });

  it("spells the fetchadd as an ll/sc that must succeed on MIPS and LOCK ADD on X86", () => {
    const mipsSmr = row("smr", "MIPS", "mips", "as-kernel")?.litmus ?? "";
    expect(mipsSmr).toMatch(/ll \$9,0\(%s_wr_seq0\)[\s\S]*sc \$10,0\(%s_wr_seq0\)/);
    expect(mipsSmr).toContain("0:$10=1");
    expect(row("smr", "X86", "x86tso", "as-kernel")?.litmus).toContain("LOCK ADD [s_wr_seq],$2");
    const plain = row("smr", "X86", "x86tso", "plain-atomic_fetchadd_int")?.litmus ?? "";
    expect(plain).toContain("ADD [s_wr_seq],$2");
    expect(plain).not.toContain("LOCK");
  });

  it("shows, for each row unsafe only on a weak model, an execution that sc forbids", () => {
    for (const r of rows.filter((r) => !r.safe && r.removes !== "synchronisation")) {
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

describe("a pattern's variants", () => {
  it("must name what they drop", () => {
    const smr = CATALOGUE.find((p) => p.name === "smr") as Pattern;
    const typo: Pattern = {
      ...smr,
      variants: [{ kind: "atomic", name: "fetchadd", drop: ["atomic_fetchad_int"] }],
    };
    expect(() => verifyCatalogue([typo])).toThrow(
      "smr: variant fetchadd drops atomic_fetchad_int, which is no atomic of the pattern (it has atomic_fetchadd_int)",
    );
  });
});
