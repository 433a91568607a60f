/*
 * `smpnet verify [--pattern <name>] [--json]`: runs @smpnet/memmodel's
 * catalogue of reclamation and publication patterns (smr, epoch,
 * pserialize, mp, seqlock), as the kernels have them and weakened one way at
 * a time (a fence left out, an atomic made plain, the synchronisation left
 * out), under sc and each architecture's own model; prints which are safe,
 * and for each unsafe one the bad outcome the model allows, its final
 * states and, where sc forbids it, an execution that reaches it.
 */
import { CATALOGUE, formatResult, resultJson, verifyCatalogue } from "@smpnet/memmodel";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { verifyTable } from "../format/verify-table.js";

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description(
      "check the reclamation and publication patterns (smr, epoch, pserialize, mp, seqlock) as the kernels have them and without each fence, atomic or wait, under sc, x86tso and mips",
    )
    .option("--pattern <name>", "only this pattern")
    .option("--json", "print one JSON object per pattern, model and variant, one per line")
    .action((_options: unknown, command: Command) => {
      const opts: { pattern?: string; json?: boolean } = command.optsWithGlobals();
      const names = CATALOGUE.map((p) => p.name);
      if (opts.pattern !== undefined && !names.includes(opts.pattern)) {
        throw new UsageError(
          `--pattern: expected one of ${names.join(", ")}, got "${opts.pattern}"`,
        );
      }
      const rows = verifyCatalogue(
        CATALOGUE.filter((p) => opts.pattern === undefined || p.name === opts.pattern),
      );
      if (opts.json) {
        const line = (r: (typeof rows)[number]) => {
          const json = resultJson(r.result);
          return JSON.stringify({
            pattern: r.pattern,
            arch: r.arch,
            model: r.model,
            variant: r.variant,
            removes: r.removes,
            safe: r.safe,
            badOutcome: json.condition,
            ...(r.safe ? {} : { finalStates: json.finalStates }),
            ...(json.witness ? { witness: json.witness } : {}),
          });
        };
        process.stdout.write(rows.map((r) => `${line(r)}\n`).join(""));
        return;
      }
      process.stdout.write(`${verifyTable(rows)}\n`);
      for (const r of rows.filter((r) => !r.safe)) {
        process.stdout.write(
          `\n${r.pattern} ${r.variant} on ${r.arch} under ${r.model}: the bad outcome ${resultJson(r.result).condition} is allowed\n`,
        );
        process.stdout.write(formatResult(r.result));
      }
    });
}
