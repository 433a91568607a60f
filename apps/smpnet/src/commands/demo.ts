/*
 * `smpnet` with no command: the default experiment. Until the netinet
 * packages land it is a demonstration of the machine (see demo/machine.ts),
 * printed as each CPU's time split.
 */

import type { Command } from "commander";
import { runDemo } from "../demo/machine.js";
import { timeSplitTable } from "../format/time-split.js";
import { parseIntOption } from "../options.js";

/** The seeded generator (pure-rand's xoroshiro128+) takes a 32-bit seed. */
const MAX_SEED = 2 ** 32 - 1;
/**
 * A minute of simulated time: about a minute of wall time (estimate from
 * `--ms 1000` taking 1.1 s on the 2-core lab machine), so a mistyped `--ms`
 * cannot run for years.
 */
const MAX_MS = 60_000;

export function registerDemo(program: Command): void {
  program
    .option("--seed <n>", "seed of the run's random generator", "1")
    .option("--ms <n>", "simulated milliseconds", "100")
    .option("--json", "print the result as JSON")
    .action((opts: { seed: string; ms: string; json?: boolean }) => {
      const seed = parseIntOption(
        "--seed",
        opts.seed,
        0,
        MAX_SEED,
        "the generator's seed is 32 bits",
      );
      const simulatedMs = parseIntOption(
        "--ms",
        opts.ms,
        1,
        MAX_MS,
        "a simulated minute takes about a minute to run",
      );
      const r = runDemo({ seed, simulatedMs });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      process.stdout.write(
        `smpnet: machine demonstration on ${r.profile}, ${simulatedMs} ms simulated, seed ${seed}\n` +
          `NIC interrupts ${r.interrupts}, packets ${r.packets}, syscalls ${r.counter}\n\n`,
      );
      process.stdout.write(`${timeSplitTable(r.cpus, r.elapsedNs)}\n`);
    });
}
