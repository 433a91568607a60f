/*
 * `smpnet report <result.json> [--out dir]`: makes every output of a run
 * again from its saved result (@smpnet/report): lockstat.txt, trace.json
 * (open it in ui.perfetto.dev), stacks.folded, flamegraph.svg and
 * report.html. They go beside the result unless --out names a folder; the
 * command prints the folder's path. A result of another schema version, or
 * one edited after its run, is refused by validateResult.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { validateResult, writeReport } from "@smpnet/report";
import type { Command } from "commander";
import { UsageError } from "../errors.js";

function readResult(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `${path}: no such file (give the result.json that smpnet run wrote)`
        : `${path}: cannot read it (${code})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path}: not JSON (give the result.json that smpnet run wrote)`);
  }
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description(
      "make a run's lockstat text, Perfetto trace, folded stacks, flame graph and HTML report again from its result.json",
    )
    .argument("<result>", "a result.json written by smpnet run")
    .option("--out <dir>", "the folder to write into (default: the result's own folder)")
    .action((path: string, opts: { out?: string }) => {
      const result = validateResult(readResult(path));
      const dir = resolve(opts.out ?? dirname(path));
      try {
        writeReport(result, dir);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new UsageError(`--out: cannot write into ${dir} (${err.code ?? err.message})`);
      }
      process.stdout.write(`${dir}\n`);
    });
}
