/*
 * `smpnet sweep` and `smpnet merge`: the same lines in matrix order for any
 * number of workers, shards that merge into the unsharded sweep, progress
 * as plain lines when stderr is not a terminal, and bad matrices, shards
 * and merges refused by name.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { smpnet } from "./cli.js";

const scratch = mkdtempSync(join(tmpdir(), "smpnet-sweep-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(scratch, name);
  writeFileSync(p, text);
  return p;
}

const matrix = file(
  "m.yaml",
  `kernels:
  - { policy: giant, cpus: 1 }
  - { policy: split, reclamation: smr-lazy, cpus: 2 }
workloads:
  - iperf3 -c dut -n 256K
seeds: [1, 2]
`,
);

describe("smpnet sweep", () => {
  const one = smpnet("sweep", matrix, "--workers", "1");
  const two = smpnet("sweep", matrix, "--workers", "2");

  it("prints one result line per run, in matrix order, the same for any number of workers", () => {
    expect(one.code, one.stderr).toBe(0);
    const lines = one.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.index, l.runs, l.result.kernel.name, l.result.seed])).toEqual([
      [0, 4, "giant", 1],
      [1, 4, "giant", 2],
      [2, 4, "split+smr-lazy", 1],
      [3, 4, "split+smr-lazy", 2],
    ]);
    expect(new Set(lines.map((l) => l.sweep)).size).toBe(1);
    expect(two.stdout).toBe(one.stdout);
  });

  it("reports progress as plain lines when stderr is not a terminal", () => {
    expect(two.stderr.trim().split("\n")).toHaveLength(4);
    expect(two.stderr).toMatch(/^sweep: 4\/4 runs done, 0 running, .* left$/m);
  });

  it("shards deterministically; the merge of the shards is the unsharded sweep", () => {
    const shards = ["0/3", "1/3", "2/3"].map((s, i) => {
      const r = smpnet("sweep", matrix, "--shard", s, "--workers", "1");
      expect(r.code, r.stderr).toBe(0);
      return file(`shard-${i}.jsonl`, r.stdout);
    });
    const merged = smpnet("merge", shards[2]!, shards[0]!, shards[1]!);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(one.stdout);
  });

  it("refuses a merge with a run missing, a run twice, or lines of another sweep", () => {
    const lines = one.stdout.trim().split("\n");
    const part = file("part.jsonl", `${lines.slice(0, 3).join("\n")}\n`);
    expect(smpnet("merge", part).stderr).toMatch(/runs 3 of 4 are missing/);
    const twice = file("twice.jsonl", `${lines[0]}\n`);
    expect(smpnet("merge", part, twice).stderr).toMatch(/run 0 appears twice/);
    const other = JSON.parse(lines[3]!);
    other.sweep = "sha256:other";
    const foreign = file("foreign.jsonl", `${JSON.stringify(other)}\n`);
    expect(smpnet("merge", part, foreign).stderr).toMatch(/from another sweep/);
    const edited = JSON.parse(lines[3]!);
    edited.result.seed = 7;
    const bad = file("edited.jsonl", `${JSON.stringify(edited)}\n`);
    expect(smpnet("merge", part, bad).stderr).toMatch(
      /edited.jsonl:1: result.hash: .* does not match/,
    );
  });
});

describe("bad sweeps", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "no kernels",
      [file("k0.yaml", "kernels: []\nworkloads: [iperf3 -c dut]\nseeds: [1]\n")],
      /k0.yaml: kernels: expected at least one kernel/,
    ],
    [
      "a bad kernel",
      [file("k1.yaml", "kernels: [{ cpus: 0 }]\nworkloads: [iperf3 -c dut]\nseeds: [1]\n")],
      /k1.yaml: kernels.0: kernel.cpus: expected at least 1/,
    ],
    [
      "a bad seed",
      [file("s.yaml", "kernels: [{}]\nworkloads: [iperf3 -c dut]\nseeds: [-1]\n")],
      /s.yaml: seeds.0: expected a seed from 0 to 2\^32-1/,
    ],
    [
      "an unknown field",
      [file("u.yaml", "kernels: [{}]\nworkloads: [iperf3 -c dut]\nseeds: [1]\nseed: 2\n")],
      /u.yaml: seed: unknown field; the fields are kernels, workloads, seeds/,
    ],
    [
      "an open quote",
      [file("q.yaml", 'kernels: [{}]\nworkloads: ["iperf3 -c \'dut"]\nseeds: [1]\n')],
      /q.yaml: workloads.0: a ' quote is not closed/,
    ],
    ["a bad shard", [matrix, "--shard", "3/3"], /--shard: expected i\/n with 0 <= i < n/],
    ["bad workers", [matrix, "--workers", "0"], /--workers: expected a whole number from 1 to 256/],
  ];
  for (const [what, args, want] of cases) {
    it(what, () => {
      const r = smpnet("sweep", ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stdout).toBe("");
    });
  }
});
