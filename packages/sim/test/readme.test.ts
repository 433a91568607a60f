import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

const dir = join(import.meta.dirname, "..");

it("runs the README's example and prints what the README says it prints", () => {
  const readme = readFileSync(join(dir, "README.md"), "utf8");
  const code = /```js\n([\s\S]*?)```/.exec(readme)![1]!;
  const promised = /\/\/ (.*): packets counted/.exec(code)![1]!;
  const file = join(dir, ".readme-example.mjs");
  writeFileSync(file, code);
  try {
    const r = spawnSync(process.execPath, [file], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(promised);
  } finally {
    rmSync(file);
  }
});
