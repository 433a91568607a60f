import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { smpnet } from "./cli.js";

/** The shared litmus set beside the repository, and herd7's answers for it. */
const LITMUS = join(import.meta.dirname, "../../../../shared/litmus");
const expected: Record<
  string,
  {
    models: Record<string, { verdict: string; states: number; positive: number; negative: number }>;
  }
> = JSON.parse(readFileSync(join(LITMUS, "expected.json"), "utf8"));

const scratch = mkdtempSync(join(tmpdir(), "smpnet-litmus-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("smpnet litmus", () => {
  it("checks a folder under every model that applies and agrees with herd7 on each (JSON lines)", () => {
    const r = smpnet("litmus", LITMUS, "--model", "all", "--json");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(160);
    for (const o of lines) {
      const herd = expected[o.file.slice(LITMUS.length + 1)]!.models[o.model]!;
      expect({
        file: o.file,
        model: o.model,
        verdict: o.verdict,
        states: o.states,
        positive: o.positive,
        negative: o.negative,
      }).toEqual({
        file: o.file,
        model: o.model,
        verdict: herd.verdict,
        states: herd.states,
        positive: herd.positive,
        negative: herd.negative,
      });
    }
  });

  it("runs a test under its architecture's model by default and prints herd7's layout with a witness", () => {
    const r = smpnet("litmus", join(LITMUS, "X86/SB.litmus"));
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.slice(0, 11)).toEqual([
      "Test SB Allowed",
      "States 4",
      "0:EAX=0; 1:EAX=0;",
      "0:EAX=0; 1:EAX=1;",
      "0:EAX=1; 1:EAX=0;",
      "0:EAX=1; 1:EAX=1;",
      "Ok",
      "Witnesses",
      "Positive: 1 Negative: 3",
      "Condition exists (0:EAX=0 /\\ 1:EAX=0)",
      "Observation SB Sometimes 1 3",
    ]);
    expect(lines[11]).toBe("Model x86tso (herd/libdir/x86tso.cat)");
    expect(lines[12]).toBe("Witness: an execution x86tso allows and sc forbids");
    expect(r.stdout).toContain("  sc rejects it: sc: a -po-> b -fr-> c -po-> d -fr-> a");
  });

  it("shows no witness when sc allows the outcome too", () => {
    const r = smpnet("litmus", join(LITMUS, "MIPS/MP+ok.litmus"), "--json");
    const o = JSON.parse(r.stdout);
    expect([o.model, o.verdict, o.witness]).toEqual(["mips", "Allowed", undefined]);
  });

  it("names a missing file, and exits 2 without printing results", () => {
    const r = smpnet("litmus", join(LITMUS, "X86/SB.litmus"), "nope.litmus");
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: "smpnet: nope.litmus: no such file or folder\n",
    });
  });

  it("reports a bad test at its file, line and column", () => {
    const file = join(scratch, "Bad.litmus");
    writeFileSync(
      file,
      "X86 Bad\n{ }\n P0         ;\n MOV [x],$1 ;\n FOO EAX    ;\nexists (0:EAX=1)\n",
    );
    const r = smpnet("litmus", file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(`^smpnet: ${file}:5:2: unknown instruction \`FOO\`; X86 instructions: `),
    );
  });

  it("rejects an unknown model and a model of the other architecture", () => {
    expect(smpnet("litmus", LITMUS, "--model", "arm")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'smpnet: --model: expected mips, x86tso, sc or all, got "arm"\n',
    });
    const r = smpnet("litmus", join(LITMUS, "X86/MP.litmus"), "--model", "mips");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "model mips reads MIPS tests, this one is X86 (use --model x86tso, sc or all)",
    );
  });

  it("rejects a folder without tests", () => {
    const empty = mkdtempSync(join(scratch, "empty-"));
    const r = smpnet("litmus", empty);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`smpnet: ${empty}: the folder holds no .litmus file\n`);
  });
});
