/*
 * The command tree. Each command lives in commands/ and registers itself
 * here; the app only parses, assembles, runs and prints.
 */

import { Command } from "commander";
import { registerDemo } from "./commands/demo.js";
import { registerLitmus } from "./commands/litmus.js";
import { registerVerify } from "./commands/verify.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("smpnet")
    .description("A laboratory for making a kernel TCP/IP stack MP-safe")
    .showHelpAfterError("(run smpnet --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerDemo(program);
  registerLitmus(program);
  registerVerify(program);
  return program;
}
