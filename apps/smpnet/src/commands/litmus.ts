/*
 * `smpnet litmus <files or folders...> [--model mips|x86tso|sc|all] [--json]`:
 * checks herd .litmus tests with @smpnet/memmodel and prints each result as
 * herd7 does, or one JSON object per line. Folders are searched for
 * `*.litmus` files, in name order (litmus-files.ts). Without --model a test runs under its
 * architecture's own model (mips for MIPS, x86tso for X86); `all` runs it
 * under each model that applies (its own, then sc). Every file is read
 * before anything is printed, so a bad file or option prints nothing but its
 * error.
 */
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
import { addBudgetOptions, budgetOptions, progressLine, withinBudget } from "../check-budget.js";
import { UsageError } from "../errors.js";
import { litmusFiles, readLitmusFile } from "../litmus-files.js";

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
  const litmus = program
    .command("litmus")
    .description("check herd .litmus tests (MIPS, X86) under the sc, x86tso and mips memory models")
    .argument("<paths...>", ".litmus files, or folders to search for them")
    .option(
      "--model <name>",
      "mips, x86tso, sc, or all (default: the test's own architecture's model)",
    )
    .option("--json", "print one JSON object per test and model, one per line");
  addBudgetOptions(litmus).action(
    (paths: string[], opts: { model?: string; json?: boolean } & Record<string, string>) => {
      const budget = budgetOptions(opts);
      const runs = litmusFiles(paths).map((file) => {
        const test = parseLitmus(readLitmusFile(file), file);
        return { test, models: modelsOf(test, opts.model) };
      });
      const results = runs.flatMap(({ test, models }) =>
        models.map((m) =>
          withinBudget(() =>
            checkTest(test, m, {
              ...budget,
              onProgress: progressLine(`${test.file} under ${m.name}`),
            }),
          ),
        ),
      );
      if (opts.json) {
        process.stdout.write(results.map((r) => `${JSON.stringify(resultJson(r))}\n`).join(""));
      } else {
        process.stdout.write(results.map(formatResult).join("\n"));
      }
    },
  );
}
