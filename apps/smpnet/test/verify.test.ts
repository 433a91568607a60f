import { describe, expect, it } from "vitest";
import { smpnet } from "./cli.js";

describe("smpnet verify", () => {
  it("prints one JSON object per pattern, model and variant", () => {
    const r = smpnet("verify", "--json");
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(new Set(rows.map((o) => o.pattern))).toEqual(
      new Set(["smr", "epoch", "pserialize", "mp", "seqlock"]),
    );
    const row = (pattern: string, model: string, variant: string) =>
      rows.find((o) => o.pattern === pattern && o.model === model && o.variant === variant);
    // which fence the smr reader needs on MIPS and on x86-TSO, and that SC does not need it
    expect(row("smr", "mips", "without-smr_enter").safe).toBe(false);
    expect(row("smr", "x86tso", "without-smr_enter").safe).toBe(false);
    expect(row("smr", "x86tso", "without-smr_enter").witness.violates).toBe("sc");
    expect(rows.filter((o) => o.pattern === "smr" && o.model === "sc").every((o) => o.safe)).toBe(
      true,
    );
    expect(row("smr", "mips", "as-kernel").safe).toBe(true);
    expect(row("mp", "mips", "without-membar_producer").safe).toBe(false);
    // a pserialize writer that does not wait for the cross-call frees under a reader everywhere
    for (const model of ["sc", "x86tso", "mips"]) {
      const r = row("pserialize", model, "without-xc_wait");
      expect([model, r.removes, r.safe]).toEqual([model, "synchronisation", false]);
    }
    expect(row("smr", "x86tso", "plain-atomic_fetchadd_int").removes).toBe("atomic");
    expect(row("mp", "mips", "without-membar_consumer").safe).toBe(true);
  });

  it("prints the table and, for an unsafe row, the execution that reaches the bad outcome", () => {
    const r = smpnet("verify", "--pattern", "mp");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /│ mp +│ MIPS │ without-membar_producer +│ fence +│ safe │ UNSAFE \(mips\) +│/,
    );
    expect(r.stdout).toContain(
      "mp without-membar_producer on MIPS under mips: the bad outcome exists (1:$2=1 /\\ 1:$3=0) is allowed",
    );
    expect(r.stdout).toContain("Witness: an execution mips allows and sc forbids");
  });

  it("names the patterns when given an unknown one", () => {
    expect(smpnet("verify", "--pattern", "rcu")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'smpnet: --pattern: expected one of smr, epoch, pserialize, mp, seqlock, got "rcu"\n',
    });
  });
});
