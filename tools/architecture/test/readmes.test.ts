/*
 * Every package README starts with a runnable example (STYLE.md). This test
 * runs each one, inside its package so that it imports the package by name,
 * and compares what it prints with the `// ` lines that follow its last
 * console.log: the README's promise of its output.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");
const packages = readdirSync(join(root, "packages")).filter((d) =>
  existsSync(join(root, "packages", d, "package.json")),
);
const readme = (p: string) => {
  const f = join(root, "packages", p, "README.md");
  return existsSync(f) ? readFileSync(f, "utf8") : "";
};

describe("README examples", () => {
  it("finds the packages", () => {
    expect(packages).toContain("sim");
  });

  for (const pkg of packages) {
    const dir = join(root, "packages", pkg);
    const example = /```js\n([\s\S]*?)```/.exec(readme(pkg))?.[1];
    it.runIf(example !== undefined)(`${pkg}: the example prints what its README says`, () => {
      const code = example!;
      const after = code.slice(code.lastIndexOf("console.log")).split("\n").slice(1);
      const promised = after
        .filter((l) => l.startsWith("// ") || l === "//")
        .map((l) => l.slice(3));
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
    const without = packages.filter((p) => !/```js\n/.test(readme(p)));
    expect(without).toEqual([]);
  });
});
