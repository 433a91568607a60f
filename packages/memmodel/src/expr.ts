/*
 * Symbolic values, as herd7 computes with them: a thread runs before anyone
 * knows what its loads return, so each load's value is a variable and what
 * the thread stores or keeps in a register is an expression over those
 * variables. Once a candidate execution fixes reads-from, the variables get
 * values by following rf to the writes (solve in check.ts). Folding keeps the
 * expressions of a litmus test constant where herd's would be: `xor $3,$2,$2`
 * is 0 whatever `$2` read, so the address `$3 + y` is `y` before any rf.
 */
import { applyOp, type BinOp, type Value } from "./value.js";

/** The value read by one load, numbered across the test's threads. */
export interface VarExpr {
  readonly kind: "var";
  readonly id: number;
}

export interface OpExpr {
  readonly kind: "op";
  readonly op: BinOp;
  readonly a: Expr;
  readonly b: Expr;
}

export type Expr = Value | VarExpr | OpExpr;

export const isConst = (e: Expr): e is Value => typeof e !== "object";

function sameExpr(a: Expr, b: Expr): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (a.kind === "var") return b.kind === "var" && a.id === b.id;
  return b.kind === "op" && a.op === b.op && sameExpr(a.a, b.a) && sameExpr(a.b, b.b);
}

/**
 * `a op b`, folded when both sides are known and simplified where the answer
 * does not depend on the unknown (x^x, x-x, x=x, x!=x, x and 0, x+0).
 * Returns undefined for arithmetic that makes no sense on addresses.
 */
export function mkOp(op: BinOp, a: Expr, b: Expr): Expr | undefined {
  if (isConst(a) && isConst(b)) return applyOp(op, a, b);
  if (sameExpr(a, b)) {
    if (op === "xor" || op === "sub" || op === "ne" || op === "slt" || op === "sltu" || op === "gt")
      return 0;
    if (op === "eq") return 1;
    if (op === "and" || op === "or") return a;
  }
  if (op === "and" && (a === 0 || b === 0)) return 0;
  if ((op === "add" || op === "or" || op === "xor") && a === 0) return b;
  if ((op === "add" || op === "sub" || op === "or" || op === "xor" || op === "shl") && b === 0)
    return a;
  return { kind: "op", op, a, b };
}

/** The variables an expression reads, in first-seen order. */
export function varsOf(e: Expr, out: number[] = []): number[] {
  if (typeof e !== "object") return out;
  if (e.kind === "var") {
    if (!out.includes(e.id)) out.push(e.id);
    return out;
  }
  varsOf(e.a, out);
  return varsOf(e.b, out);
}

/**
 * The value of `e` given the value of each variable; undefined when a
 * variable has none (its value depends on itself) or the arithmetic fails.
 */
export function evalExpr(
  e: Expr,
  valueOfVar: (id: number) => Value | undefined,
): Value | undefined {
  if (typeof e !== "object") return e;
  if (e.kind === "var") return valueOfVar(e.id);
  const a = evalExpr(e.a, valueOfVar);
  if (a === undefined) return undefined;
  const b = evalExpr(e.b, valueOfVar);
  if (b === undefined) return undefined;
  return applyOp(e.op, a, b);
}
