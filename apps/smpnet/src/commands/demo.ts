/*
 * `smpnet` with no command: the default experiment. Until the netinet
 * packages land it is a demonstration of the machine (see demo/machine.ts),
 * printed as each CPU's time split.
 */

import type { Command } from "commander";
import { runDemo } from "../demo/machine.js";
import { timeSplitTable } from "../format/time-split.js";
import { parseIntOption } from "../options.js";

export function registerDemo(program: Command): void {
  program
    .option("--seed <n>", "seed of the run's random generator", "1")
    .option("--ms <n>", "simulated milliseconds", "100")
    .option("--json", "print the result as JSON")
    .action((opts: { seed: string; ms: string; json?: boolean }) => {
      const seed = parseIntOption("--seed", opts.seed, 0);
      const simulatedMs = parseIntOption("--ms", opts.ms, 1);
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
