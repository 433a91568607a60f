// Writes the catalogue's patterns as .litmus files (litmus/<arch>/<test>.litmus), as the kernels
// have them and weakened by each variant, so that herd7 can check them too. Run after a build:
// `node scripts/write-catalogue.mjs`; test/catalogue.test.ts checks the files are current.
// With HERD7=<path to herd7> it also records herd7's answer for each file under the
// architecture's model and sc in litmus/herd7.json, which test/catalogue-herd.test.ts holds
// this package to (its cat files are looked up beside the binary, in ../share/herdtools7/herd).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { catalogueFiles, modelsFor } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../litmus");
const herd7 = process.env.HERD7;
const answers = {};
for (const { path, text } of catalogueFiles()) {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  if (herd7 === undefined) continue;
  answers[path] = {};
  for (const model of modelsFor(path.startsWith("MIPS/") ? "MIPS" : "X86")) {
    const cat = join(dirname(herd7), "../share/herdtools7/herd", `${model.name}.cat`);
    const out = execFileSync(herd7, ["-model", cat, file], { encoding: "utf8" });
    const [, states] = /^States (\d+)$/m.exec(out) ?? [];
    const [, observation, positive, negative] =
      / (\w+) (\d+) (\d+)$/m.exec(/^Observation .*$/m.exec(out)?.[0] ?? "") ?? [];
    if (observation === undefined)
      throw new Error(`herd7 gave no observation for ${path}:\n${out}`);
    answers[path][model.name] = {
      states: Number(states),
      positive: Number(positive),
      negative: Number(negative),
      observation,
    };
  }
}
if (herd7 !== undefined)
  writeFileSync(join(root, "herd7.json"), `${JSON.stringify(answers, null, 2)}\n`);
