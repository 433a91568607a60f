/*
 * A .litmus file as text with positions: offsets become line and column for
 * messages, and a small tokenizer serves the sections whose syntax is a
 * sequence of words, numbers and punctuation (instructions, the init section,
 * the condition). Comments are OCaml's `(* ... *)`, as in herd's lexers.
 */
import { LitmusSyntaxError } from "../errors.js";
import { INT32_MAX, INT32_MIN } from "../value.js";

export class SourceFile {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.lineStarts.push(i + 1);
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  error(offset: number, reason: string): LitmusSyntaxError {
    const { line, column } = this.position(offset);
    return new LitmusSyntaxError(this.file, line, column, reason);
  }
}

export interface Token {
  /** name: words and registers; num: integers; punct: the rest, one or two characters. */
  readonly kind: "name" | "num" | "punct";
  readonly text: string;
  readonly offset: number;
}

/** Two-character operators of the condition language, tried before single characters. */
const PUNCT2 = ["/\\", "\\/", "==", "!=", "<>", "=>"];

/**
 * Splits `text[start, end)` into tokens. A name starts with a letter, `_`,
 * `.`, `$` or `%` and goes on with letters, digits, `_`, `/`, `.`, `-`, `$`
 * (herd's register and label spellings: `$2`, `$v0`, `%x0`, `LC00`); a
 * number is decimal or hexadecimal with an optional minus.
 */
export function tokenize(src: SourceFile, start: number, end: number): Token[] {
  const { text } = src;
  const out: Token[] = [];
  let i = start;
  while (i < end) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++;
      continue;
    }
    if (c === "(" && text[i + 1] === "*") {
      const close = text.indexOf("*)", i + 2);
      if (close < 0 || close + 2 > end) throw src.error(i, "comment `(*` is never closed by `*)`");
      i = close + 2;
      continue;
    }
    const rest = text.slice(i, end);
    const num = /^-?(0[xX][0-9a-fA-F]+|[0-9]+)/.exec(rest);
    if (num && !/^[A-Za-z_]/.test(rest.slice(num[0].length))) {
      out.push({ kind: "num", text: num[0], offset: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_.$%][A-Za-z0-9_/.$-]*/.exec(rest);
    if (name) {
      out.push({ kind: "name", text: name[0], offset: i });
      i += name[0].length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      out.push({ kind: "punct", text: two, offset: i });
      i += 2;
      continue;
    }
    out.push({ kind: "punct", text: c, offset: i });
    i++;
  }
  return out;
}

/** Reads tokens left to right, with errors placed at the token that is wrong. */
export class TokenStream {
  private i = 0;

  constructor(
    readonly src: SourceFile,
    private readonly tokens: readonly Token[],
    /** Where errors point when the tokens run out. */
    private readonly endOffset: number,
  ) {}

  peek(ahead = 0): Token | undefined {
    return this.tokens[this.i + ahead];
  }

  next(): Token | undefined {
    const t = this.tokens[this.i];
    if (t) this.i++;
    return t;
  }

  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }

  /** Consumes the punctuation `p` if it comes next. */
  accept(p: string): boolean {
    const t = this.peek();
    if (t?.kind === "punct" && t.text === p) {
      this.i++;
      return true;
    }
    return false;
  }

  /** The offset of the next token, or of the end of the tokens. */
  offset(): number {
    return this.peek()?.offset ?? this.endOffset;
  }

  error(reason: string, at: Token | undefined = this.peek()): Error {
    return this.src.error(at?.offset ?? this.endOffset, reason);
  }

  /** The integer `digits` spells (by default the number token `t`), refused if not 32-bit. */
  int32(t: Token, digits = t.text): number {
    const negative = digits.startsWith("-");
    const magnitude = Number(negative ? digits.slice(1) : digits);
    const n = negative ? -magnitude : magnitude;
    if (!(n >= INT32_MIN && n <= INT32_MAX)) {
      throw this.error(
        `\`${t.text}\` does not fit in 32 bits: values are 32-bit signed integers, ${INT32_MIN} to ${INT32_MAX}`,
        t,
      );
    }
    return n;
  }

  describe(t: Token | undefined): string {
    return t ? `got \`${t.text}\`` : "got nothing";
  }
}
