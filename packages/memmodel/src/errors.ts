/*
 * Errors a user can fix: a .litmus file the reader rejects, a model name that
 * does not exist, a model that does not apply to a test's architecture. Each
 * message names what is wrong and how to fix it; anything else thrown from
 * this package is a bug.
 */

/** Bad input to the checker, reported by its message alone. */
export class MemmodelError extends Error {
  override name = "MemmodelError";
}

/** A problem at one place of a .litmus file; the message reads `file:line:column: reason`. */
export class LitmusSyntaxError extends MemmodelError {
  override name = "LitmusSyntaxError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
  }
}
