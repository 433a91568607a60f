/*
 * `smpnet report`: every output made again from a saved result, and bad
 * results refused in one line. The result comes from a short run of
 * @smpnet/sim with the report's Collector, as `smpnet run` will make one.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Collector, resultHash, validateTrace } from "@smpnet/report";
import {
  atomic_cas,
  IPL_VM,
  PRI_KTHREAD,
  roundProfile,
  Simulation,
  spin_until,
  store,
  work,
} from "@smpnet/sim";
import { afterAll, describe, expect, it } from "vitest";
import { smpnet } from "./cli.js";

const scratch = mkdtempSync(join(tmpdir(), "smpnet-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Two threads taking one spin lock, and a timer interrupt, for 2 ms. */
function savedResult(): string {
  const sim = new Simulation({ seed: 7 });
  const host = sim.addHost({ name: "dut", profile: roundProfile(2) });
  const lock = { name: "softnet_lock", line: host.cacheline("softnet_lock", 0) };
  for (const cpu of [0, 1]) {
    host.kthread_create({
      name: `worker/${cpu}`,
      pri: PRI_KTHREAD,
      cpu,
      bound: true,
      *body() {
        for (;;) {
          while ((yield* atomic_cas(lock.line, 0, 1)) !== 0) {
            yield* spin_until([lock.line], () => lock.line.value === 0, {
              iterCycles: 20,
              tag: lock,
            });
          }
          yield* work(2_000);
          yield* store(lock.line, 0);
          yield* work(1_000);
        }
      },
    });
  }
  const clock = host.intr_establish({
    name: "clock",
    ipl: IPL_VM,
    cpu: 0,
    *handler() {
      yield* work(300);
    },
  });
  const tick = () => {
    clock.raise();
    sim.after(100_000, tick);
  };
  sim.after(100_000, tick);
  const collector = new Collector(sim);
  sim.run(2e6);
  const result = collector.finish({
    kernel: { name: "test kernel" },
    workload: { name: "spin", args: [] },
    seed: 7,
    output: {},
    lockstat: [
      { event: "Spin mutex spin", lock: "softnet_lock", caller: "worker", count: 3, timeNs: 1500 },
    ],
    reclamation: { scheme: "none" },
    integrity: { ok: true },
    stats: { tcpstat: {}, udpstat: {}, ipstat: {} },
  });
  const path = join(scratch, "result.json");
  writeFileSync(path, JSON.stringify(result));
  return path;
}

const FILES = ["lockstat.txt", "trace.json", "stacks.folded", "flamegraph.svg", "report.html"];

describe("smpnet report", () => {
  const path = savedResult();

  it("writes every output beside the result and prints the folder", () => {
    const r = smpnet("report", path);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${scratch}\n`);
    for (const f of FILES) expect(existsSync(join(scratch, f)), f).toBe(true);
    expect(validateTrace(JSON.parse(readFileSync(join(scratch, "trace.json"), "utf8")))).toEqual(
      [],
    );
    expect(readFileSync(join(scratch, "lockstat.txt"), "utf8")).toContain("-- Spin mutex spin");
    expect(readFileSync(join(scratch, "stacks.folded"), "utf8")).toMatch(/^cpu0;worker\/0 \d+$/m);
  });

  it("writes into --out when given", () => {
    const out = join(scratch, "again");
    const r = smpnet("report", path, "--out", out);
    expect(r.stdout).toBe(`${out}\n`);
    expect(existsSync(join(out, "report.html"))).toBe(true);
  });

  it("refuses a missing file, a file that is not JSON, an old version and an edited result in one line", () => {
    const bad = (name: string, text: string) => {
      const p = join(scratch, name);
      writeFileSync(p, text);
      return smpnet("report", p);
    };
    const saved = JSON.parse(readFileSync(path, "utf8"));
    const old = { ...saved, version: 0 };
    old.hash = resultHash(old);
    const runs = [
      [smpnet("report", join(scratch, "nope.json")), /nope\.json: no such file/],
      [bad("text.json", "not json"), /text\.json: not JSON/],
      [bad("old.json", JSON.stringify(old)), /result\.version: this result is of schema version 0/],
      [
        bad("edited.json", JSON.stringify({ ...saved, seed: 8 })),
        /result\.hash: .* does not match/,
      ],
    ] as const;
    for (const [r, message] of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")).toHaveLength(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
