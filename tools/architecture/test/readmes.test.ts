/*
 * Every package README starts with a runnable example (STYLE.md). This test
 * runs each one, inside its package so that it imports the package by name,
 * and compares what it prints with the `// ` lines that follow its last
 * console.log: the README's promise of its output.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeExample } from "./readme-example.js";

const root = join(import.meta.dirname, "../../..");
const packages = readdirSync(join(root, "packages")).filter((d) =>
  existsSync(join(root, "packages", d, "package.json")),
);
const example = (p: string) => readmeExample(join(root, "packages", p, "README.md"));

describe("README examples", () => {
  it("finds the packages", () => {
    expect(packages).toContain("sim");
  });

  for (const pkg of packages) {
    const dir = join(root, "packages", pkg);
    const found = example(pkg);
    it.runIf(found !== undefined)(`${pkg}: the example prints what its README says`, () => {
      const { code, promised } = found!;
      expect(promised.length).toBeGreaterThan(0);
      const file = join(dir, ".readme-example.mjs");
      writeFileSync(file, code);
      try {
        const r = spawnSync(process.execPath, [file], { encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.stdout.trim().split("\n")).toEqual(promised);
      } finally {
        rmSync(file);
      }
    });
  }

  it("every package has a README with a runnable example", () => {
    const without = packages.filter((p) => example(p) === undefined);
    expect(without).toEqual([]);
  });
});
