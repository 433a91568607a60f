/*
 * A reclamation or publication pattern, written once in a neutral form and
 * spelled as a herd .litmus test for each architecture. A fence step names
 * the kernel function that issues it; a variant leaves something out to see
 * whether the pattern still holds without it:
 * - `fence`: the fences of one or more named sites (the ordering only);
 * - `atomic`: an atomic read-modify-write done as a plain load and store;
 * - `synchronisation`: steps of the protocol itself (e.g. the writer's wait),
 *   which no memory model can make up for, sc included.
 */
import type { Arch } from "../program.js";

export type Step =
  | { readonly k: "st"; readonly loc: string; readonly v: number }
  /** Stores the value a load of this thread put in `reg`. */
  | { readonly k: "st-reg"; readonly loc: string; readonly reg: string }
  /** `label` names the step for a synchronisation variant that drops it. */
  | { readonly k: "ld"; readonly reg: string; readonly loc: string; readonly label?: string }
  /**
   * An atomic fetch-and-add, as the kernel's `atomic_fetchadd_int`; `label`
   * names it for the variant that does it as a plain load and store.
   */
  | { readonly k: "rmw"; readonly loc: string; readonly add: number; readonly label: string }
  /**
   * `name` is the kernel function that issues it; fences of one name are left
   * out together. `barrier` is which one, as the kernel spells it.
   */
  | { readonly k: "fence"; readonly name: string; readonly barrier: Barrier };

/**
 * NetBSD's membar_ops(3) and asm.h `SYNC_ACQ` (the barrier after an LL/SC
 * lock acquire), and FreeBSD's atomic(9) fences (a `load_acq` or
 * `store_rel` is a plain access with one of these beside it).
 */
export type Barrier =
  | "membar_producer"
  | "membar_consumer"
  | "membar_release"
  | "membar_sync"
  | "SYNC_ACQ"
  | "atomic_thread_fence_acq"
  | "atomic_thread_fence_rel"
  | "atomic_thread_fence_seq_cst";

export type VariantKind = "fence" | "atomic" | "synchronisation";

/** A way to weaken a pattern, beyond leaving out the fences of one site. */
export interface Variant {
  readonly kind: VariantKind;
  /** The test is `<pattern>+without-<name>`. */
  readonly name: string;
  /** Fence names, rmw labels or load labels, by kind. */
  readonly drop: readonly string[];
}

export interface Pattern {
  /** `smr`, `epoch`, `pserialize`, `mp`, `seqlock`. */
  readonly name: string;
  /** What the threads stand for and what the bad outcome means. */
  readonly about: string;
  readonly init: Readonly<Record<string, number>>;
  readonly threads: readonly (readonly Step[])[];
  /**
   * The bad outcome: registers by thread and name. Outer array is a
   * disjunction of conjunctions. A variant that drops a load drops the atoms
   * on its register: what the thread would have checked, it no longer does.
   */
  readonly bad: readonly (readonly (readonly [thread: number, reg: string, v: number])[])[];
  /** Variants other than one per fence site, which every pattern has. */
  readonly variants?: readonly Variant[];
}

/**
 * How each architecture spells a barrier. null: a compiler barrier only (no
 * instruction). MIPS stands for the Octeon, as the kernels build for it:
 * NetBSD's membar_ops.S and asm.h (`__OCTEON__`), FreeBSD's mips/atomic.h
 * (every fence there is `mips_sync`); see ../shared/reference/octeon.md §3.
 */
export const FENCE_SPELLING: Record<Arch, Record<Barrier, string | null>> = {
  MIPS: {
    // Octeon's `syncw` orders a thread's stores; herd's MIPS has no such
    // instruction, so these are spelled `sync`, which orders more.
    membar_producer: "sync",
    membar_release: "sync",
    membar_consumer: "sync",
    membar_sync: "sync",
    // asm.h: nothing on Octeon, where loads are not speculated (`sync` on
    // other MIPS).
    SYNC_ACQ: null,
    atomic_thread_fence_acq: "sync",
    atomic_thread_fence_rel: "sync",
    atomic_thread_fence_seq_cst: "sync",
  },
  X86: {
    membar_producer: null,
    membar_release: null,
    membar_consumer: null,
    membar_sync: "MFENCE",
    SYNC_ACQ: null,
    atomic_thread_fence_acq: null,
    atomic_thread_fence_rel: null,
    atomic_thread_fence_seq_cst: "MFENCE",
  },
};

/** The fence sites of `p` (names, once each), in thread and program order. */
export function fenceNames(p: Pattern): string[] {
  const names = p.threads.flatMap((t) => t.flatMap((s) => (s.k === "fence" ? [s.name] : [])));
  return [...new Set(names)];
}
