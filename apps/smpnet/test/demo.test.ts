import { describe, expect, it } from "vitest";
import { smpnet } from "./cli.js";

describe("smpnet (the default experiment)", () => {
  it("prints each CPU's time split, adding up to 100% of the run", () => {
    const r = smpnet("--ms", "20");
    expect(r.code).toBe(0);
    const rows = r.stdout.split("\n").filter((l) => /^│ cpu\d/.test(l));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const cells = row.split("│").slice(2, -1).map(Number);
      const sum = cells.reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - 100)).toBeLessThan(0.1 * cells.length);
    }
    expect(r.stdout).toMatch(/NIC interrupts [1-9]\d*, packets [1-9]\d*/);
  });

  it("gives the same JSON for the same seed and other JSON for another", () => {
    const a = smpnet("--ms", "10", "--json", "--seed", "3");
    const b = smpnet("--ms", "10", "--json", "--seed", "3");
    const c = smpnet("--ms", "10", "--json", "--seed", "4");
    expect(a.stdout).toBe(b.stdout);
    expect(c.stdout).not.toBe(a.stdout);
    const r = JSON.parse(a.stdout);
    expect(r.elapsedNs).toBe(10_000_000);
    for (const cpu of r.cpus) {
      const total = Object.values(cpu as Record<string, number>).reduce((x, y) => x + y, 0);
      expect(total).toBe(10_000_000);
    }
    expect(r.cpus[0]["intr:vm"]).toBeGreaterThan(0);
    expect(r.counter).toBeGreaterThan(0);
  });

  it("rejects a bad option with a message and exit code 2, without a stack trace", () => {
    for (const args of [["--seed", "x"], ["--ms", "0"], ["--bogus"]]) {
      const r = smpnet(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(r.stdout).toBe("");
    }
    expect(smpnet("--ms", "0").stderr).toContain(
      '--ms: expected an integer from 1 to 60000 (a simulated minute takes about a minute to run), got "0"',
    );
    expect(smpnet("--bogus").stderr).toContain("unknown option '--bogus'");
  });
});
