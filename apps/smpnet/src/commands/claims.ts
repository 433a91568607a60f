/*
 * `smpnet claims [--json] [--claim <id>] [--seed <n>]`: the seed's claims,
 * each as the experiment that answers it (claims/catalogue.ts), with its
 * sensitivity to the estimates it depends on; what the seed says, what the
 * lab measured, whether it holds. Exit status 1 when a claim does not hold.
 */
import type { Command } from "commander";
import { CLAIMS } from "../claims/catalogue.js";
import { runClaims } from "../claims/run-claims.js";
import { UsageError } from "../errors.js";
import { claimsText } from "../format/claims-text.js";
import { parseSeed } from "./run.js";

export function registerClaims(program: Command): void {
  const ids = CLAIMS.map((c) => c.id);
  program
    .command("claims")
    .description(
      "run the seed's claims (DESIGN.md's six questions, flow parallelism, TCP_CRR) and say which hold, with each one's sensitivity to the estimates it depends on",
    )
    .option("--claim <id>", `only this claim (${ids.join(", ")}); repeat for several`, collect)
    .option("--seed <n>", "the runs' seed (default 1)")
    .option("--json", "print one JSON object per claim, one per line")
    .action(async (opts: { claim?: string[]; seed?: string; json?: boolean }) => {
      for (const id of opts.claim ?? []) {
        if (!ids.includes(id))
          throw new UsageError(`--claim: expected one of ${ids.join(", ")}, got "${id}"`);
      }
      const seed = parseSeed(opts.seed);
      const chosen = CLAIMS.filter((c) => opts.claim === undefined || opts.claim.includes(c.id));
      const reports = await runClaims(chosen, seed);
      process.stdout.write(
        opts.json ? reports.map((r) => `${JSON.stringify(r)}\n`).join("") : claimsText(reports),
      );
      if (reports.some((r) => !r.holds)) process.exitCode = 1;
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
