/*
 * A reclamation or publication pattern, written once in a neutral form and
 * spelled as a herd .litmus test for each architecture. A fence step names
 * the kernel barrier it stands for; each can be removed to see whether the
 * pattern still holds without it.
 */
import type { Arch } from "../program.js";

export type Step =
  | { readonly k: "st"; readonly loc: string; readonly v: number }
  | { readonly k: "ld"; readonly reg: string; readonly loc: string }
  /** `name` is where the kernel puts it (unique in the pattern), `barrier` which one. */
  | { readonly k: "fence"; readonly name: string; readonly barrier: Barrier };

export type Barrier = "membar_producer" | "membar_consumer" | "membar_sync";

export interface Pattern {
  /** `smr`, `epoch`, `pserialize`, `mp`, `seqlock`. */
  readonly name: string;
  /** What the threads stand for and what the bad outcome means. */
  readonly about: string;
  readonly init: Readonly<Record<string, number>>;
  readonly threads: readonly (readonly Step[])[];
  /**
   * The bad outcome: registers by thread and name. Outer array is a
   * disjunction of conjunctions.
   */
  readonly bad: readonly (readonly (readonly [thread: number, reg: string, v: number])[])[];
}

/**
 * How each architecture spells a kernel barrier. null: a compiler barrier
 * only (no instruction), as NetBSD's x86 membar_producer/consumer are.
 */
export const FENCE_SPELLING: Record<Arch, Record<Barrier, string | null>> = {
  // herd's MIPS has `sync` only; Octeon's `syncw` (membar_producer) orders
  // stores among themselves, which `sync` does too, more dearly.
  MIPS: {
    membar_producer: "sync",
    membar_consumer: "sync",
    membar_sync: "sync",
  },
  X86: {
    membar_producer: null,
    membar_consumer: null,
    membar_sync: "MFENCE",
  },
};

/** The names of the fences of `p`, in thread and program order. */
export function fenceNames(p: Pattern): string[] {
  return p.threads.flatMap((t) => t.flatMap((s) => (s.k === "fence" ? [s.name] : [])));
}
