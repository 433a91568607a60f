/*
 * Entry point of the `smpnet` command. Bad input ends with a message that
 * names the problem and the fix, and a non-zero exit: never a stack trace.
 */

import { CommanderError } from "commander";
import { isUserError } from "./errors.js";
import { buildProgram } from "./program.js";

// A reader that stops early (`smpnet verify | head`) is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isUserError(e)) {
      process.stderr.write(`smpnet: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`smpnet: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 70;
  },
);
