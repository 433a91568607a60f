/*
 * Values of registers and memory, as herd7 has them for these tests: an
 * integer, or the address of a named location (`x`), written as its name.
 * Integers are 32-bit signed: MIPS `lw` sign-extends a word and herd's X86 is
 * 32-bit, so no test of the shared set tells the difference from herd's 64-bit
 * MIPS registers. A constant outside 32 bits would tell it, so the reader
 * refuses one (source.ts) instead of cutting it. Arithmetic on an address is limited to what a litmus test
 * does with one: add zero to it (`addu %T1,$3,%y0` with `$3` = 0), compare it,
 * subtract or xor it from itself.
 */

export type Value = number | string;

/** The integers a test may write: the reader refuses wider ones rather than cut them. */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/** The operations of both instruction sets, named after herd's `Op`. */
export type BinOp =
  | "add"
  | "sub"
  | "and"
  | "or"
  | "xor"
  | "nor"
  | "slt"
  | "sltu"
  | "shl"
  | "shr"
  | "eq"
  | "ne"
  | "gt";

const int32 = (n: number) => n | 0;

function onInts(op: BinOp, a: number, b: number): number {
  switch (op) {
    case "add":
      return int32(a + b);
    case "sub":
      return int32(a - b);
    case "and":
      return a & b;
    case "or":
      return a | b;
    case "xor":
      return a ^ b;
    case "nor":
      return ~(a | b);
    case "slt":
      return a < b ? 1 : 0;
    case "sltu":
      return a >>> 0 < b >>> 0 ? 1 : 0;
    case "shl":
      return a << b;
    case "shr":
      return a >>> b;
    case "eq":
      return a === b ? 1 : 0;
    case "ne":
      return a !== b ? 1 : 0;
    case "gt":
      return a > b ? 1 : 0;
  }
}

/** `a op b`, or undefined when the operation makes no sense on an address. */
export function applyOp(op: BinOp, a: Value, b: Value): Value | undefined {
  if (typeof a === "number" && typeof b === "number") return onInts(op, a, b);
  if (op === "eq") return a === b ? 1 : 0;
  if (op === "ne") return a !== b ? 1 : 0;
  if ((op === "add" || op === "sub" || op === "or" || op === "xor") && b === 0) return a;
  if (op === "add" && a === 0) return b;
  if ((op === "sub" || op === "xor") && a === b) return 0;
  return undefined;
}

/** herd's value order: integers first, numerically, then addresses by name. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === "number") return typeof b === "number" ? a - b : -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
