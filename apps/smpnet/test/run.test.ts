/*
 * `smpnet run`, `compare` and the default experiment: results that validate
 * and carry their hashes, the same to the bit for the same seed, replayed
 * and compared, reports written where the command says; the seed's picture
 * in the experiment's table; every bad flag refused in one line.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resultHash, validateResult } from "@smpnet/report";
import { afterAll, describe, expect, it } from "vitest";
import { smpnet } from "./cli.js";

const scratch = mkdtempSync(join(tmpdir(), "smpnet-run-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const WORKLOAD = ["--", "iperf3", "-c", "dut", "-n", "1M"];

function runJson(...args: string[]) {
  const r = smpnet("run", "--json", ...args);
  expect(r.code, r.stderr).toBe(0);
  return { result: validateResult(JSON.parse(r.stdout)), stderr: r.stderr };
}

describe("smpnet run", () => {
  const out = join(scratch, "a");
  const { result: a, stderr } = runJson("--out", out, "--cpus", "2", ...WORKLOAD);

  it("keeps a result that validates, names what ran, and writes the reports where it says", () => {
    expect(stderr).toBe(`smpnet: results in ${out}\n`);
    expect(readdirSync(out).sort()).toEqual(
      [
        "flamegraph.svg",
        "lockstat.txt",
        "report.html",
        "result.json",
        "stacks.folded",
        "trace.json",
      ].sort(),
    );
    expect(a.kernel).toMatchObject({ name: "giant", policy: "giant", hw: "er4", cpus: 2 });
    expect(a.workload).toMatchObject({ name: "iperf3", args: ["-c", "dut", "-n", "1M"] });
    expect(a.kernel.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.cpus).toHaveLength(2);
    expect((a.output as { stdout: string }).stdout).toMatch(/receiver\n/);
    expect(a.stats.tcpstat.tcps_rcvpack).toBeGreaterThan(0);
  });

  it("gives the same result to the bit for the same seed, another for another seed", () => {
    const b = runJson("--out", join(scratch, "b"), "--cpus", "2", ...WORKLOAD).result;
    const c = runJson(
      "--out",
      join(scratch, "c"),
      "--cpus",
      "2",
      "--seed",
      "2",
      ...WORKLOAD,
    ).result;
    expect(b.hash).toBe(a.hash);
    expect(c.hash).not.toBe(a.hash);
    expect(c.workload.hash).toBe(a.workload.hash);
  });

  it("replays a saved result and says it matches; a result that differs is reported with exit 1", () => {
    const saved = join(out, "result.json");
    const same = smpnet("run", "--replay", saved);
    expect(same.stdout).toMatch(/^replay: matches/);
    expect(same.code).toBe(0);
    const forged = JSON.parse(readFileSync(saved, "utf8"));
    forged.output.stdout = "something else\n";
    forged.hash = resultHash(forged);
    writeFileSync(join(scratch, "forged.json"), JSON.stringify(forged));
    const differs = smpnet("run", "--replay", join(scratch, "forged.json"));
    expect(differs.stdout).toMatch(/^replay: differs/);
    expect(differs.code).toBe(1);
  });

  it("refuses an edited result instead of replaying it", () => {
    const edited = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    edited.seed = 9;
    writeFileSync(join(scratch, "edited.json"), JSON.stringify(edited));
    const r = smpnet("run", "--replay", join(scratch, "edited.json"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/edited.json: result.hash: .* does not match its contents/);
  });

  it("prints what the tool prints without --json, and ends with its status", () => {
    const r = smpnet("run", "--out", join(scratch, "d"), "--", "iperf3", "-c", "nowhere");
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/iperf3: error - unable to connect to server/);
    expect(r.code).toBe(1);
  });
});

describe("smpnet compare", () => {
  it("runs each kernel and prints one row per kernel", () => {
    const r = smpnet(
      "compare",
      "--json",
      "--out",
      join(scratch, "cmp"),
      "--policy",
      "giant,split",
      "--reclamation",
      "smr-lazy",
      ...WORKLOAD,
    );
    // giant takes no reclamation scheme: the flag applies to all, so it is refused by name
    expect(r.stderr).toMatch(/reclamation: policy giant takes no reclamation scheme/);
    const ok = smpnet(
      "compare",
      "--json",
      "--out",
      join(scratch, "cmp"),
      "--policy",
      "giant,split",
      ...WORKLOAD,
    );
    expect(ok.code, ok.stderr).toBe(0);
    const rows = ok.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.map((x) => x.kernel)).toEqual(["giant", "split"]);
    expect(rows[0].topSpinLock).toBe("softnet_lock");
    for (const row of rows) {
      const sum = Object.values(row.split as Record<string, number>).reduce((x, y) => x + y, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
  });
});

describe("the seed's experiment (smpnet with no command)", () => {
  it("puts the four designs side by side and shows where each spins", () => {
    const r = smpnet("--seconds", "1", "--json", "--out", join(scratch, "exp"));
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.map((x) => x.kernel)).toEqual([
      "giant",
      "net-mpsafe",
      "solock-v1+pserialize",
      "split+epoch",
    ]);
    const by = Object.fromEntries(rows.map((x) => [x.kernel, x]));
    // claim 1: softnet_lock serialises both giant kernels
    expect(by.giant.topSpinLock).toBe("softnet_lock");
    expect(by["net-mpsafe"].topSpinLock).toBe("softnet_lock");
    // claim 2: solock-v1's user thread and ACK processing meet on the socket lock
    expect(by["solock-v1+pserialize"].topSpinLock).toBe("so_lock");
    expect(by["solock-v1+pserialize"].topSpinCallers.sort()).toEqual(["sosend", "tcp_input"]);
    for (const x of rows) expect(x.figure).toMatch(/Mbits\/sec/);
  });
});

describe("bad flags", () => {
  const cases: [string[], RegExp][] = [
    [["run"], /^smpnet: no workload: give one after --/],
    [
      ["run", "--", "ping", "dut"],
      /^smpnet: workload: "ping" is not one; the workloads are iperf3 and netperf/,
    ],
    [["run", "--cpus", "x", ...WORKLOAD], /^smpnet: --cpus: expected a number, got "x"/],
    [["run", "--cpus", "9", ...WORKLOAD], /^smpnet: cpus: expected a whole number from 1 to 4/],
    [["run", "--loss", "2", ...WORKLOAD], /^smpnet: --loss: expected a probability from 0 to 1/],
    [
      ["run", "--delay", "-1", ...WORKLOAD],
      /^smpnet: --delay: expected a non-negative number of microseconds/,
    ],
    [["run", "--hw", "sparc", ...WORKLOAD], /^smpnet: --hw: expected one of er4, cn78xx, x86/],
    [["run", "--kernel", "nope.yaml", ...WORKLOAD], /^smpnet: nope.yaml: no such file or folder/],
    [["run", "--replay", "nope.json"], /^smpnet: nope.json: no such file or folder/],
    [["compare", "--policy", "giant", ...WORKLOAD], /^smpnet: compare: give at least two kernels/],
    [
      ["compare", "--policy", "giant,,split", ...WORKLOAD],
      /^smpnet: --policy: expected names separated by commas/,
    ],
  ];
  for (const [args, want] of cases) {
    it(args.join(" "), () => {
      const r = smpnet(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).toBe("");
    });
  }
});
