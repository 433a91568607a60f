/*
 * A litmus test as the checker runs it, whatever the syntax it came from:
 * threads of instructions in a small shared vocabulary (register operations,
 * loads, stores, read-modify-writes, fences, branches), an initial state, the
 * locations and registers it observes, and a final condition. The readers in
 * litmus/ translate MIPS and X86 into it, keeping each instruction's source
 * text and position for messages and witnesses.
 */
import type { BinOp, Value } from "./value.js";

export type Arch = "MIPS" | "X86";

/** Fence instructions by kind; herd's cat files name them the same. */
export type FenceKind = "SYNC" | "MFENCE" | "LFENCE" | "SFENCE";

/** Where an instruction or condition came from in its file. */
export interface SourceRef {
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

export type Operand = { readonly reg: string } | { readonly imm: Value };

/** An address: the value of a register or a constant location, plus a byte offset. */
export interface Address {
  readonly base: Operand;
  readonly offset: number;
}

export type Instr =
  /** dst := a op b (with op "add" and b = 0 for a move). */
  | {
      readonly kind: "op";
      readonly op: BinOp;
      readonly dst: string;
      readonly a: Operand;
      readonly b: Operand;
      readonly src: SourceRef;
    }
  /** dst := [addr]; MIPS `ll` also reserves the address (reserve) and is an atomic access. */
  | {
      readonly kind: "load";
      readonly dst: string;
      readonly addr: Address;
      readonly reserve: boolean;
      readonly src: SourceRef;
    }
  | {
      readonly kind: "store";
      readonly value: Operand;
      readonly addr: Address;
      readonly src: SourceRef;
    }
  /** MIPS `sc`: stores reg and sets it to 1 if the reservation holds, else sets it to 0. */
  | { readonly kind: "sc"; readonly reg: string; readonly addr: Address; readonly src: SourceRef }
  /**
   * One X86 instruction that reads and writes memory: XCHG, or ADD/XOR/OR/INC/DEC
   * with a memory destination. `locked` for XCHG and the LOCK prefix.
   */
  | {
      readonly kind: "rmw";
      readonly op: "xchg" | "add" | "sub" | "xor" | "or";
      readonly addr: Address;
      /** xchg: the register exchanged; otherwise the second operand. */
      readonly operand: Operand;
      readonly locked: boolean;
      readonly src: SourceRef;
    }
  | { readonly kind: "fence"; readonly fence: FenceKind; readonly src: SourceRef }
  /** Jump to `target` (an instruction index, forward) when `a test b` holds. */
  | {
      readonly kind: "branch";
      readonly test: "always" | "eq" | "ne" | "lez" | "gtz" | "ltz" | "gez";
      readonly a: Operand;
      readonly b: Operand;
      readonly target: number;
      readonly src: SourceRef;
    }
  /** X86 flags after an ALU operation or CMP: ZF := a = b, SF := a > b, CF := 0 (as herd). */
  | { readonly kind: "flags"; readonly a: Operand; readonly b: Operand; readonly src: SourceRef }
  /** X86 CMOVC: dst := the source (a register, or memory: a load) when CF is set. */
  | {
      readonly kind: "cmovc";
      readonly dst: string;
      readonly from: { readonly reg: string } | { readonly addr: Address };
      readonly src: SourceRef;
    };

export interface Thread {
  readonly id: number;
  readonly code: readonly Instr[];
}

/** A register of one thread, or a memory location. */
export type Location =
  | { readonly kind: "reg"; readonly tid: number; readonly reg: string }
  | { readonly kind: "mem"; readonly name: string };

export type Prop =
  | { readonly kind: "atom"; readonly loc: Location; readonly value: Value }
  | { readonly kind: "not"; readonly p: Prop }
  | { readonly kind: "and"; readonly ps: readonly Prop[] }
  | { readonly kind: "or"; readonly ps: readonly Prop[] }
  | { readonly kind: "implies"; readonly p: Prop; readonly q: Prop };

/** herd's three quantifiers: `exists`, `~exists`, `forall`. */
export type Quantifier = "exists" | "~exists" | "forall";

export interface Condition {
  readonly quantifier: Quantifier;
  readonly prop: Prop;
}

export interface LitmusTest {
  readonly arch: Arch;
  readonly name: string;
  readonly file: string;
  readonly threads: readonly Thread[];
  /** Initial values: registers (by thread) and memory; the rest start at 0. */
  readonly init: readonly { readonly loc: Location; readonly value: Value }[];
  /** Every location the test names: in the init section, as a value there, or in X86 code. */
  readonly locations: readonly string[];
  /** What a final state shows: the `locations` clause, then the condition's locations. */
  readonly observed: readonly Location[];
  readonly condition: Condition;
}
