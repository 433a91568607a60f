/*
 * `smpnet litmus <files or folders...> [--model mips|x86tso|sc|all] [--json]`:
 * checks herd .litmus tests with @smpnet/memmodel and prints each result as
 * herd7 does, or one JSON object per line. Folders are searched for
 * `*.litmus` files, in name order. Without --model a test runs under its
 * architecture's own model (mips for MIPS, x86tso for X86); `all` runs it
 * under each model that applies (its own, then sc). Every file is read
 * before anything is printed, so a bad file or option prints nothing but its
 * error.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  archModel,
  checkTest,
  formatResult,
  type LitmusTest,
  MemmodelError,
  type Model,
  modelByName,
  modelsFor,
  parseLitmus,
  resultJson,
} from "@smpnet/memmodel";
import type { Command } from "commander";
import { UsageError } from "../errors.js";

/** The .litmus files named by `paths`: files as given, folders searched recursively. */
function litmusFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".litmus")) out.push(p);
    }
  };
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new UsageError(`${p}: no such file or folder`);
    }
    if (!isDir) {
      out.push(p);
      continue;
    }
    const before = out.length;
    walk(p);
    if (out.length === before) throw new UsageError(`${p}: the folder holds no .litmus file`);
  }
  return out;
}

/** The models to run `test` under, for the --model option's value. */
function modelsOf(test: LitmusTest, option: string | undefined): Model[] {
  if (option === undefined) return [archModel(test.arch)];
  if (option === "all") return modelsFor(test.arch);
  let model: Model;
  try {
    model = modelByName(option);
  } catch {
    throw new UsageError(`--model: expected mips, x86tso, sc or all, got "${option}"`);
  }
  if (model.arch !== undefined && model.arch !== test.arch) {
    throw new MemmodelError(
      `${test.file}: model ${model.name} reads ${model.arch} tests, this one is ${test.arch} (use --model ${archModel(test.arch).name}, sc or all)`,
    );
  }
  return [model];
}

export function registerLitmus(program: Command): void {
  program
    .command("litmus")
    .description("check herd .litmus tests (MIPS, X86) under the sc, x86tso and mips memory models")
    .argument("<paths...>", ".litmus files, or folders to search for them")
    .option(
      "--model <name>",
      "mips, x86tso, sc, or all (default: the test's own architecture's model)",
    )
    .option("--json", "print one JSON object per test and model, one per line")
    .action((paths: string[], _options: unknown, command: Command) => {
      // --json is also an option of the program itself (the default experiment's): either counts.
      const opts: { model?: string; json?: boolean } = command.optsWithGlobals();
      const runs = litmusFiles(paths).map((file) => {
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch {
          throw new UsageError(`${file}: cannot be read`);
        }
        const test = parseLitmus(text, file);
        return { test, models: modelsOf(test, opts.model) };
      });
      const results = runs.flatMap(({ test, models }) => models.map((m) => checkTest(test, m)));
      if (opts.json) {
        process.stdout.write(results.map((r) => `${JSON.stringify(resultJson(r))}\n`).join(""));
      } else {
        process.stdout.write(results.map(formatResult).join("\n"));
      }
    });
}
