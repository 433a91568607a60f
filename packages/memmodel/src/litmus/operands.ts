/*
 * What both architectures' operand readers share: the instruction's form
 * (for the message), and the punctuation and labels between operands.
 */
import type { Token, TokenStream } from "./source.js";

export class OperandReader {
  constructor(
    protected readonly ts: TokenStream,
    protected readonly form: string,
  ) {}

  protected fail(t: Token | undefined): Error {
    return this.ts.error(`bad operands: expected \`${this.form}\`, ${this.ts.describe(t)}`, t);
  }

  comma(): void {
    const t = this.ts.next();
    if (t?.kind !== "punct" || t.text !== ",") throw this.fail(t);
  }

  label(): Token {
    const t = this.ts.next();
    if (t?.kind !== "name") throw this.fail(t);
    return t;
  }

  end(): void {
    if (!this.ts.atEnd()) throw this.fail(this.ts.peek());
  }
}
