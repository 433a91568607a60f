/*
 * What the readers of the two architectures have in common: each turns one
 * cell of the program table into an instruction, and knows its registers,
 * their canonical spelling and herd's order of them in a final state.
 */
import type { Arch, Instr } from "../program.js";
import type { TokenStream } from "./source.js";

/**
 * One cell of the program table: the instructions it stands for (none for a
 * nop, two for an X86 ALU operation and its flags), or a branch whose label
 * is resolved to an instruction index once the whole thread is read.
 */
export type ParsedInstr =
  | { readonly kind: "instrs"; readonly instrs: readonly Instr[] }
  | {
      readonly kind: "branch";
      readonly make: (target: number) => Instr;
      readonly label: string;
      readonly labelOffset: number;
    };

export interface ArchSyntax {
  readonly arch: Arch;
  /** The canonical name of a register spelling (`$v0` is `$2`), or undefined. */
  register(spelling: string): string | undefined;
  /** herd's order of registers within one thread (its `reg_compare`). */
  registerRank(reg: string): number;
  /** A reminder of valid registers for "unknown register" messages. */
  readonly registerHint: string;
  /** Reads one instruction; the stream holds exactly that cell's tokens. */
  instruction(ts: TokenStream, text: string): ParsedInstr;
}

/** Symbolic registers (`%x0`) stand for a free register of the thread that names them. */
export const isSymbolicRegister = (r: string) => r.startsWith("%");
