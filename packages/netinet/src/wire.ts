/*
 * The wire: a full-duplex Ethernet link between two interfaces. Each
 * direction sends one frame at a time at the link's speed; a frame costs its
 * bytes plus Ethernet's framing (preamble and start delimiter, header, FCS,
 * inter-frame gap), so back-to-back 1500-byte frames at 1 Gbit/s arrive
 * 12.304 us apart and TCP's goodput tops out at 941.5 Mbit/s. The far end
 * sees a frame's last bit one propagation delay after it left.
 *
 * Impairments, each drawn from the run's seeded generator per frame: loss
 * (the frame vanishes), duplication (a second copy follows it), reordering
 * (the frame is held back by a further delay, so later frames overtake it)
 * and corruption (it arrives, fails its FCS and the NIC drops it). Scripted
 * drops need no generator: the Nth frame carrying payload (a TCP data
 * segment, retransmissions included, or a UDP datagram) vanishes, as ns-3's
 * list error model drops chosen packets at a receiver. Impairments apply to
 * both directions, or to one (`impair`), as a receiver's error model or an
 * egress netem does.
 */

import { checkSchema, type Rng, type Simulation } from "@smpnet/sim";
import * as v from "valibot";
import {
  ETHER_CRC_LEN,
  ETHER_HDR_LEN,
  ETHER_IFG_BYTES,
  ETHER_MIN_LEN,
  ETHER_PREAMBLE_BYTES,
  IP_MIN_MTU,
} from "./constants.js";
import { PacketHeader } from "./packet.js";

const rate = (what: string) =>
  v.pipe(
    v.number(`expected a probability from 0 to 1 (${what})`),
    v.minValue(0, `expected a probability from 0 to 1 (${what}); 0.01 is 1%`),
    v.maxValue(1, `expected a probability from 0 to 1 (${what}); 0.01 is 1%`),
  );

const nonNegativeNs = (what: string) =>
  v.pipe(
    v.number(`expected nanoseconds (${what})`),
    v.finite(`expected a finite number of nanoseconds (${what})`),
    v.minValue(0, `expected a non-negative number of nanoseconds (${what})`),
  );

export const WireSchema = v.strictObject({
  speedMbps: v.pipe(
    v.number("expected a link speed in Mbit/s, e.g. 1000"),
    v.integer("expected a whole number of Mbit/s"),
    v.minValue(1, "expected at least 1 Mbit/s"),
  ),
  /** One-way propagation delay. */
  delayNs: nonNegativeNs("one-way propagation delay, e.g. 50000 for 50 us"),
  mtuBytes: v.pipe(
    v.number("expected an MTU in bytes, e.g. 1500"),
    v.integer("expected a whole number of bytes"),
    v.minValue(IP_MIN_MTU, `expected an MTU of at least ${IP_MIN_MTU} bytes (RFC 791)`),
    v.maxValue(9_000, "expected an MTU of at most 9000 bytes (a jumbo frame)"),
  ),
  lossRate: v.optional(rate("share of frames lost"), 0),
  duplicateRate: v.optional(rate("share of frames delivered twice"), 0),
  reorderRate: v.optional(rate("share of frames held back so later ones overtake them"), 0),
  /** How long a reordered frame is held back. */
  reorderDelayNs: v.optional(nonNegativeNs("extra delay of a reordered frame"), 100_000),
  corruptRate: v.optional(rate("share of frames that fail their checksum"), 0),
  /** 1-based indices of the frames carrying payload that vanish, counted per direction. */
  dropData: v.optional(
    v.array(
      v.pipe(
        v.number("expected frame indices from 1 (the first frame carrying data), e.g. [50, 51]"),
        v.integer("expected whole frame indices, e.g. [50, 51]"),
        v.minValue(
          1,
          "expected frame indices from 1 (the first frame carrying data), e.g. [50, 51]",
        ),
      ),
      "expected a list of frame indices, e.g. [50, 51]",
    ),
    [],
  ),
  /** The directions impaired: both, or only the one toward the peer or toward the system under test. */
  impair: v.optional(
    v.picklist(["both", "toPeer", "toDut"], 'expected "both", "toPeer" or "toDut"'),
    "both",
  ),
});

export type WireConfig = v.InferInput<typeof WireSchema>;
export type Wire = v.InferOutput<typeof WireSchema>;

/** Checks a wire description; every error names the field and the fix. */
export function validateWire(input: unknown, what = "wire"): Wire {
  return checkSchema(WireSchema, input, what, "Wire");
}

/** The link as direction `dir` sees it: without impairments when `impair` leaves it alone. */
export function wireDirection(w: Wire, dir: "toPeer" | "toDut"): Wire {
  if (w.impair === "both" || w.impair === dir) return w;
  return { ...w, lossRate: 0, duplicateRate: 0, reorderRate: 0, corruptRate: 0, dropData: [] };
}

/** Bytes a frame occupies on the wire for `l3Bytes` of IP packet. */
export function wireBytes(l3Bytes: number): number {
  const frame = Math.max(ETHER_HDR_LEN + l3Bytes + ETHER_CRC_LEN, ETHER_MIN_LEN);
  return ETHER_PREAMBLE_BYTES + frame + ETHER_IFG_BYTES;
}

/**
 * A frame in flight: the packet's headers and identity (`len` is the IP
 * packet's size), what the far NIC writes into an mbuf. The wire keeps a
 * free list of them, so a frame costs no allocation.
 */
export class Frame extends PacketHeader {
  /** The direction of the wire it travels. */
  link: Link | null = null;
}

/** Where a direction of the wire delivers: the far NIC. */
export interface FrameSink {
  /** A frame's last bit arrived; the sink owns it until it calls Link.release. */
  frameArrived(f: Frame): void;
}

/** What the wire did with the frames given to it, per direction. */
export class WireStats {
  frames = 0;
  bytes = 0;
  lost = 0;
  /** Lost by `dropData`. */
  dropped = 0;
  duplicated = 0;
  reordered = 0;
  corrupted = 0;
}

/** One direction of the link. */
export class Link {
  readonly stats = new WireStats();
  /** When the transmitter is free for the next frame's first bit. */
  private busyUntilNs = 0;
  private readonly free: Frame[] = [];
  readonly nsPerByte: number;
  /** dropData as a set, null when empty (nothing to count), and the frames with data so far. */
  private readonly drops: Set<number> | null;
  private dataFrames = 0;

  constructor(
    readonly sim: Simulation,
    readonly cfg: Wire,
    readonly sink: FrameSink,
    private readonly rng: Rng,
  ) {
    this.nsPerByte = 8_000 / cfg.speedMbps;
    this.drops = cfg.dropData.length > 0 ? new Set(cfg.dropData) : null;
  }

  frame(): Frame {
    return this.free.pop() ?? new Frame();
  }

  release(f: Frame): void {
    this.free.push(f);
  }

  /**
   * Sends `f` after the frames before it; returns when its last bit has left
   * (the transmit ring's slot is free from then). The wire owns `f`.
   */
  transmit(f: Frame): number {
    const now = this.sim.now;
    const start = Math.max(now, this.busyUntilNs);
    const bytes = wireBytes(f.len);
    this.busyUntilNs = start + bytes * this.nsPerByte;
    // the gap and the preamble are idle time on the wire: the last bit of
    // the frame leaves ETHER_IFG_BYTES before the transmitter is free
    const lastBitNs = this.busyUntilNs - ETHER_IFG_BYTES * this.nsPerByte;
    this.stats.frames++;
    this.stats.bytes += bytes;
    const cfg = this.cfg;
    const rng = this.rng;
    if (this.drops !== null && f.data_len > 0 && this.drops.has(++this.dataFrames)) {
      this.stats.dropped++;
      this.release(f);
      return lastBitNs;
    }
    if (cfg.lossRate > 0 && rng.float() < cfg.lossRate) {
      this.stats.lost++;
      this.release(f);
      return lastBitNs;
    }
    if (cfg.corruptRate > 0 && rng.float() < cfg.corruptRate) {
      this.stats.corrupted++;
      f.corrupt = true;
    }
    let arriveNs = lastBitNs + cfg.delayNs;
    if (cfg.reorderRate > 0 && rng.float() < cfg.reorderRate) {
      this.stats.reordered++;
      arriveNs += cfg.reorderDelayNs;
    }
    if (cfg.duplicateRate > 0 && rng.float() < cfg.duplicateRate) {
      this.stats.duplicated++;
      const dup = this.frame();
      dup.copyHeader(f);
      dup.link = this;
      this.sim.at(arriveNs, deliver, dup);
    }
    f.link = this;
    this.sim.at(arriveNs, deliver, f);
    return lastBitNs;
  }
}

function deliver(arg: unknown): void {
  const f = arg as Frame;
  f.link!.sink.frameArrived(f);
}
