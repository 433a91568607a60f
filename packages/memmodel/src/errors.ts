/*
 * Errors a user can fix: a .litmus file the reader rejects, a model name that
 * does not exist, a model that does not apply to a test's architecture. Each
 * message names what is wrong and how to fix it; anything else thrown from
 * this package is a bug.
 */

/**
 * `text` with every character one cannot see written as an escape: controls
 * (NUL, tab, newline, ...), format characters (zero-width space, bidi marks,
 * BOM), line and paragraph separators and spaces other than U+0020, so that a
 * message quoting bad input shows what is there and stays on one line.
 */
export function visible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\p{Cs}]/gu, (c) =>
    c === " " ? c : `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`,
  );
}

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
    super(visible(`${file}:${line}:${column}: ${reason}`));
  }
}
