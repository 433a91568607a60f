// Benchmarks of the checker. Prints one JSON line per benchmark ({name, opsPerSec, ...}):
// - litmus-shared-set: the 80 tests of ../shared/litmus under every model expected.json
//   lists (160 checks), parsing included; opsPerSec counts checks (a test under one model).
// - litmus-4x5-<arch>-<model>: a test of four threads of five accesses on three locations
//   (bench/X4x5.litmus, bench/M4x5.litmus), checked once; opsPerSec is checks per second,
//   executionsPerSec the allowed executions counted per second.
// - herd7-shared-set: with HERD7=<path to herd7>, herd7 on the same 160 checks, one process
//   per architecture and model, one after another (its start-up included, as a user pays it).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkTest, modelByName, parseLitmus } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, "../../../../shared/litmus");
const expected = JSON.parse(readFileSync(join(shared, "expected.json"), "utf8"));
const checks = Object.entries(expected).flatMap(([file, { models }]) =>
  Object.keys(models).map((model) => ({
    file,
    model,
    text: readFileSync(join(shared, file), "utf8"),
  })),
);

const seconds = (fn) => {
  const t0 = process.hrtime.bigint();
  const out = fn();
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, out };
};

function sharedSet() {
  for (const c of checks) checkTest(parseLitmus(c.text, c.file), modelByName(c.model));
  return checks.length;
}

sharedSet(); // warm-up
let rounds = 0;
let total = 0;
while (total < 2) {
  total += seconds(sharedSet).s;
  rounds++;
}
const line = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
line({
  name: "litmus-shared-set",
  opsPerSec: Math.round((rounds * checks.length) / total),
  checks: checks.length,
  rounds,
});

for (const [file, models] of [
  ["X4x5.litmus", ["sc", "x86tso"]],
  ["M4x5.litmus", ["sc", "mips"]],
]) {
  const test = parseLitmus(readFileSync(join(here, file), "utf8"), file);
  for (const model of models) {
    const { s, out } = seconds(() => checkTest(test, modelByName(model)));
    const executions = out.positive + out.negative;
    line({
      name: `litmus-4x5-${test.arch}-${model}`,
      opsPerSec: +(1 / s).toFixed(3),
      executions,
      executionsPerSec: Math.round(executions / s),
    });
  }
}

if (process.env.HERD7) {
  const groups = new Map();
  for (const c of checks) {
    const key = `${c.file.split("/")[0]} ${c.model}`;
    groups.set(key, [...(groups.get(key) ?? []), join(shared, c.file)]);
  }
  const { s } = seconds(() => {
    for (const [key, files] of groups) {
      execFileSync(process.env.HERD7, ["-model", `${key.split(" ")[1]}.cat`, ...files], {
        stdio: "ignore",
      });
    }
  });
  line({
    name: "herd7-shared-set",
    opsPerSec: Math.round(checks.length / s),
    checks: checks.length,
    processes: groups.size,
  });
}
