/*
 * The catalogue: the core pattern of each reclamation scheme of
 * @smpnet/core, and the two classic publication patterns, with their fences
 * where the kernels have them. Object values: 1 is live, 2 is the poison a
 * free leaves behind; a pointer 1 is linked, 0 unlinked.
 */
import type { Pattern } from "./pattern.js";

/**
 * FreeBSD smr(9), default (not lazy) mode, sys/kern/subr_smr.c and
 * sys/sys/smr.h. Reader: smr_enter loads the write sequence, stores it as
 * the CPU's c_seq and fences (atomic_thread_fence_seq_cst), reads, and
 * smr_exit stores 0 with release. Writer: unlinks; smr_advance fences
 * (atomic_thread_fence_rel), then smr_default_advance loads s_rd_seq with
 * acquire and advances the write sequence with atomic_fetchadd_int (goal 3);
 * smr_poll loads s_rd_seq and s_wr.seq with acquire, reads c_seq
 * (smr_poll_cpu) and ends with atomic_thread_fence_acq; it frees when c_seq
 * is 0 (no reader) or has reached the goal. Lazy mode, deferred advances and
 * the s_rd_seq update are left out: nothing here depends on them.
 */
const smr: Pattern = {
  name: "smr",
  about:
    "reader: smr_enter, load pointer, load object, smr_exit; writer: unlink, smr_advance, smr_poll, free",
  init: { ptr: 1, obj: 1, s_wr_seq: 1, s_rd_seq: 1 },
  threads: [
    [
      { k: "st", loc: "ptr", v: 0 },
      { k: "fence", name: "smr_advance", barrier: "atomic_thread_fence_rel" },
      { k: "ld", reg: "rd", loc: "s_rd_seq" },
      { k: "fence", name: "smr_default_advance", barrier: "atomic_thread_fence_acq" },
      { k: "rmw", loc: "s_wr_seq", add: 2, label: "atomic_fetchadd_int" },
      { k: "ld", reg: "rd2", loc: "s_rd_seq" },
      { k: "fence", name: "smr_poll", barrier: "atomic_thread_fence_acq" },
      { k: "ld", reg: "wr", loc: "s_wr_seq" },
      { k: "fence", name: "smr_poll", barrier: "atomic_thread_fence_acq" },
      { k: "ld", reg: "c", loc: "c_seq" },
      { k: "fence", name: "smr_poll", barrier: "atomic_thread_fence_acq" },
      { k: "st", loc: "obj", v: 2 },
    ],
    [
      { k: "ld", reg: "wr", loc: "s_wr_seq" },
      { k: "st-reg", loc: "c_seq", reg: "wr" },
      { k: "fence", name: "smr_enter", barrier: "atomic_thread_fence_seq_cst" },
      { k: "ld", reg: "p", loc: "ptr" },
      { k: "ld", reg: "o", loc: "obj" },
      { k: "fence", name: "smr_exit", barrier: "atomic_thread_fence_rel" },
      { k: "st", loc: "c_seq", v: 0 },
    ],
  ],
  // the writer saw no reader (c_seq 0) or one that entered after the
  // advance (c_seq 3), yet the reader found the object linked and freed
  bad: [
    [
      [0, "c", 0],
      [1, "p", 1],
      [1, "o", 2],
    ],
    [
      [0, "c", 3],
      [1, "p", 1],
      [1, "o", 2],
    ],
  ],
  variants: [
    // both barriers between the unlink and the advance: on MIPS either one
    // orders the unlink before the new sequence
    {
      kind: "fence",
      name: "smr_advance+smr_default_advance",
      drop: ["smr_advance", "smr_default_advance"],
    },
    { kind: "atomic", name: "atomic_fetchadd_int", drop: ["atomic_fetchadd_int"] },
  ],
};

/**
 * ck_epoch / epoch(9): epoch_enter marks the record active and fences;
 * the writer unlinks, ck_epoch_synchronize fences and scans the records, and
 * frees when none is active in an old epoch.
 */
const epoch: Pattern = {
  name: "epoch",
  about: "reader: epoch_enter, load pointer, load object; writer: unlink, epoch_wait's scan, free",
  init: { ptr: 1, obj: 1 },
  threads: [
    [
      { k: "st", loc: "ptr", v: 0 },
      { k: "fence", name: "epoch_synchronize", barrier: "membar_sync" },
      { k: "ld", reg: "act", loc: "active" },
      { k: "st", loc: "obj", v: 2 },
    ],
    [
      { k: "st", loc: "active", v: 1 },
      { k: "fence", name: "epoch_enter", barrier: "membar_sync" },
      { k: "ld", reg: "p", loc: "ptr" },
      { k: "ld", reg: "o", loc: "obj" },
      { k: "fence", name: "epoch_exit", barrier: "membar_sync" },
      { k: "st", loc: "active", v: 0 },
    ],
  ],
  bad: [
    [
      [0, "act", 0],
      [1, "p", 1],
      [1, "o", 2],
    ],
  ],
};

/**
 * NetBSD pserialize(9), subr_pserialize.c v1.17: pserialize_perform is
 * xc_barrier(XC_HIGHPRI), a broadcast of a no-op cross-call (xc_highpri,
 * subr_xcall.c) and xc_wait for every CPU's acknowledgement (xc_donep). The
 * read section only blocks soft interrupts, so the cross-call's softint
 * (xc__highpri_intr) runs on the reader's CPU after the section, in its
 * program order, and acknowledges. xc_highpri releases xc_lock before the
 * IPI (mutex_exit; octeon_send_ipi's membar_release); in xc__highpri_intr
 * the only barrier between the section's loads and the acknowledgement is
 * mutex_enter's SYNC_ACQ, which is nothing on Octeon. The IPI's hard
 * interrupt may come in the middle of the section, so its membar_acquire
 * (octeon_intr.c) orders nothing here; interrupt entry and `eret` are no
 * memory barriers. xc_wait's fast path is a plain load of xc_donep. On x86
 * the mutex operations are locked instructions, full barriers; the pattern
 * needs none, so none is spelled there.
 */
const pserialize: Pattern = {
  name: "pserialize",
  about:
    "reader: section, then the cross-call's softint acknowledges; writer: unlink, xc_broadcast, xc_wait, free",
  init: { ptr: 1, obj: 1 },
  threads: [
    [
      { k: "st", loc: "ptr", v: 0 },
      { k: "fence", name: "xc_highpri", barrier: "membar_release" },
      { k: "ld", reg: "ack", loc: "xc_donep", label: "xc_wait" },
      { k: "st", loc: "obj", v: 2 },
    ],
    [
      { k: "ld", reg: "p", loc: "ptr" },
      { k: "ld", reg: "o", loc: "obj" },
      { k: "fence", name: "xc__highpri_intr", barrier: "SYNC_ACQ" },
      { k: "st", loc: "xc_donep", v: 1 },
    ],
  ],
  // the writer saw the acknowledgement (or, not waiting, did not look), the
  // reader found the object linked and freed
  bad: [
    [
      [0, "ack", 1],
      [1, "p", 1],
      [1, "o", 2],
    ],
  ],
  // pserialize_perform broadcasts but returns without xc_wait
  variants: [{ kind: "synchronisation", name: "xc_wait", drop: ["xc_wait"] }],
};

/** Publish and subscribe: data, then a flag; the reader sees the flag, then the data. */
const mp: Pattern = {
  name: "mp",
  about:
    "writer: store data, membar_producer, store flag; reader: load flag, membar_consumer, load data",
  init: {},
  threads: [
    [
      { k: "st", loc: "data", v: 1 },
      { k: "fence", name: "membar_producer", barrier: "membar_producer" },
      { k: "st", loc: "flag", v: 1 },
    ],
    [
      { k: "ld", reg: "f", loc: "flag" },
      { k: "fence", name: "membar_consumer", barrier: "membar_consumer" },
      { k: "ld", reg: "d", loc: "data" },
    ],
  ],
  bad: [
    [
      [1, "f", 1],
      [1, "d", 0],
    ],
  ],
};

/**
 * A sequence lock: the writer makes the sequence odd, writes, makes it even;
 * the reader accepts its read when the sequence was even and unchanged.
 */
const seqlock: Pattern = {
  name: "seqlock",
  about: "writer: seq=1, write data, seq=2; reader: load seq, load data, load seq again",
  init: {},
  threads: [
    [
      { k: "st", loc: "seq", v: 1 },
      { k: "fence", name: "write_begin", barrier: "membar_producer" },
      { k: "st", loc: "data", v: 1 },
      { k: "fence", name: "write_end", barrier: "membar_producer" },
      { k: "st", loc: "seq", v: 2 },
    ],
    [
      { k: "ld", reg: "s1", loc: "seq" },
      { k: "fence", name: "read_begin", barrier: "membar_consumer" },
      { k: "ld", reg: "d", loc: "data" },
      { k: "fence", name: "read_end", barrier: "membar_consumer" },
      { k: "ld", reg: "s2", loc: "seq" },
    ],
  ],
  // an accepted read (even, unchanged sequence) of a torn or stale value
  bad: [
    [
      [1, "s1", 0],
      [1, "s2", 0],
      [1, "d", 1],
    ],
    [
      [1, "s1", 2],
      [1, "s2", 2],
      [1, "d", 0],
    ],
  ],
};

export const CATALOGUE: readonly Pattern[] = [smr, epoch, pserialize, mp, seqlock];
