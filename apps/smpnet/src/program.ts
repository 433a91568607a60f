/*
 * The command tree. Each command lives in commands/ and registers itself
 * here; the app only parses, assembles, runs and prints. `smpnet` alone runs
 * the default experiment, whose options (--seed, --seconds, --json, --out) come before
 * any command; a subcommand takes only its own options, after its name, so
 * an option given to the wrong command is refused rather than ignored.
 */

import { visible } from "@smpnet/memmodel";
import { Command } from "commander";
import { registerCompare } from "./commands/compare.js";
import { registerExperiment } from "./commands/experiment.js";
import { registerLitmus } from "./commands/litmus.js";
import { registerPacketdrill } from "./commands/packetdrill.js";
import { registerReport } from "./commands/report.js";
import { registerRun } from "./commands/run.js";
import { registerSweep } from "./commands/sweep.js";
import { registerTools } from "./commands/tools.js";
import { registerVerify } from "./commands/verify.js";
import { UsageError } from "./errors.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("smpnet")
    .description("A laboratory for making a kernel TCP/IP stack MP-safe")
    .enablePositionalOptions()
    .allowExcessArguments()
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // One line, as the app's own messages: "smpnet: unknown option '--x' (see smpnet --help)".
      outputError: (s, write) =>
        write(
          `smpnet: ${visible(
            s
              .trimEnd()
              .replace(/^error: /, "")
              .replace(/\n(?=\(Did you mean)/, " "),
          )} (see smpnet --help)\n`,
        ),
    });
  registerExperiment(program);
  registerCompare(program);
  registerLitmus(program);
  registerPacketdrill(program);
  registerReport(program);
  registerRun(program);
  registerSweep(program);
  registerVerify(program);
  registerTools(program);
  const commands = program.commands.map((c) => c.name());

  program.hook("preSubcommand", (_program, sub) => {
    for (const o of program.options) {
      if (program.getOptionValueSource(o.attributeName()) !== "cli") continue;
      const own = sub.options.some((s) => s.long === o.long);
      throw new UsageError(
        `${o.long}: an option of smpnet without a command, not of \`smpnet ${sub.name()}\`` +
          (own ? ` (put it after the command: smpnet ${sub.name()} ${o.long})` : ""),
      );
    }
  });
  program.hook("preAction", (_program, action) => {
    const word = action === program ? program.args[0] : undefined;
    if (word !== undefined) {
      throw new UsageError(
        `\`${word}\` is not a command; the commands are ${commands.join(", ")} (smpnet alone runs the seed's experiment)`,
      );
    }
  });
  return program;
}
