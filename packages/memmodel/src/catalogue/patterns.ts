/*
 * The catalogue: the core pattern of each reclamation scheme of
 * @smpnet/core, and the two classic publication patterns, with their fences
 * where the kernels have them. Object values: 1 is live, 2 is the poison a
 * free leaves behind; a pointer 1 is linked, 0 unlinked.
 */
import type { Pattern } from "./pattern.js";

/**
 * FreeBSD smr(9): smr_enter stores the CPU's read sequence then fences
 * (store-load); the writer unlinks, smr_advance (a release fence and an
 * atomic add on the write sequence), smr_poll reads the CPU's sequence and,
 * seeing the reader outside, frees.
 */
const smr: Pattern = {
  name: "smr",
  about:
    "reader: smr_enter, load pointer, load object; writer: unlink, smr_advance, smr_poll, free",
  init: { ptr: 1, obj: 1 },
  threads: [
    [
      { k: "st", loc: "ptr", v: 0 },
      { k: "fence", name: "smr_advance", barrier: "membar_sync" },
      { k: "ld", reg: "seq", loc: "c_seq" },
      { k: "st", loc: "obj", v: 2 },
    ],
    [
      { k: "st", loc: "c_seq", v: 1 },
      { k: "fence", name: "smr_enter", barrier: "membar_sync" },
      { k: "ld", reg: "p", loc: "ptr" },
      { k: "ld", reg: "o", loc: "obj" },
    ],
  ],
  // the writer saw no reader, the reader saw the object linked and freed
  bad: [
    [
      [0, "seq", 0],
      [1, "p", 1],
      [1, "o", 2],
    ],
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
 * NetBSD pserialize(9): the read section blocks soft interrupts, so the
 * cross-call's handler runs on the reader's CPU after the section, in its
 * program order; it acknowledges, and the writer, having seen every
 * acknowledgement (xc_wait), frees.
 */
const pserialize: Pattern = {
  name: "pserialize",
  about:
    "reader: section, then the cross-call handler acknowledges; writer: unlink, xc_broadcast, xc_wait, free",
  init: { ptr: 1, obj: 1 },
  threads: [
    [
      { k: "st", loc: "ptr", v: 0 },
      { k: "fence", name: "xc_broadcast", barrier: "membar_sync" },
      { k: "ld", reg: "ack", loc: "xc_done" },
      { k: "fence", name: "xc_wait", barrier: "membar_sync" },
      { k: "st", loc: "obj", v: 2 },
    ],
    [
      { k: "ld", reg: "p", loc: "ptr" },
      { k: "ld", reg: "o", loc: "obj" },
      { k: "fence", name: "xc_handler", barrier: "membar_sync" },
      { k: "st", loc: "xc_done", v: 1 },
    ],
  ],
  bad: [
    [
      [0, "ack", 1],
      [1, "o", 2],
    ],
  ],
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
