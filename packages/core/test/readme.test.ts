import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

const dir = join(import.meta.dirname, "..");

it("runs the README's example, which prints the lines its closing comments show", () => {
  const code = /```js\n([\s\S]*?)```/.exec(readFileSync(join(dir, "README.md"), "utf8"))![1]!;
  const promised = code
    .slice(code.lastIndexOf("console.log"))
    .split("\n")
    .filter((l) => l.startsWith("// "))
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
