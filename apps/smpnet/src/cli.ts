/*
 * Entry point of the `smpnet` command. Bad input ends with a one-line
 * message that names the problem and the fix, and a non-zero exit: never a
 * stack trace. Output that cannot be written (a full disk, a closed
 * terminal) ends the run the same way; a reader that stops early
 * (`smpnet verify | head`) is not an error.
 */

import { visible } from "@smpnet/memmodel";
import { CommanderError } from "commander";
import { isUserError } from "./errors.js";
import { buildProgram } from "./program.js";

/** sysexits.h: a usage error, an internal error, an output error. */
const EX_USAGE = 2;
const EX_SOFTWARE = 70;
const EX_IOERR = 74;

function writeFailed(e: NodeJS.ErrnoException): number {
  if (e.code === "EPIPE") return 0;
  // Node's message reads "ENOSPC: no space left on device, write".
  const why = e.message.replace(/^\w+: /, "").replace(/, write$/, "");
  process.stderr.write(`smpnet: cannot write the output: ${why} (${e.code})\n`);
  return EX_IOERR;
}

// A failed write, to a file, a device or a pipe, reaches stdout's error event.
process.stdout.on("error", (e: NodeJS.ErrnoException) => process.exit(writeFailed(e)));

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EX_USAGE;
    if (isUserError(e)) {
      process.stderr.write(`smpnet: ${visible(e.message)}\n`);
      return EX_USAGE;
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
    process.exitCode = EX_SOFTWARE;
  },
);
