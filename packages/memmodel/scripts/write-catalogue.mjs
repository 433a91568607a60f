// Writes the catalogue's patterns as .litmus files (litmus/<arch>/<test>.litmus), as the kernels
// fence them and with each fence left out, so that herd7 can check them too. Run after a build:
// `node scripts/write-catalogue.mjs`; test/catalogue.test.ts checks the files are current.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { catalogueFiles } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../litmus");
for (const { path, text } of catalogueFiles()) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
