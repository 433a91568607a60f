/*
 * What both simulators are given and what each returns. The link is issue
 * 16's: 1 GbE with Ethernet's framing, 50 us one way, MSS 1448 (timestamps
 * on), 4 MiB socket buffers, NewReno with classic recovery. ns-3's
 * point-to-point device adds 2 bytes to a 1500-byte packet where Ethernet
 * adds 38, so ns-3 runs at 1 Gbit/s x 1502/1538 (its README) and both top
 * out at 941.5 Mbit/s of payload.
 */

export const LINK = {
  speedMbps: 1_000,
  /** ns-3's rate for the same frames per second (peers/ns3/README.md). */
  ns3Rate: "976.59Mbps",
  delayUs: 50,
  /** ns-3's bulk.cc SndBufSize and RcvBufSize. */
  bufBytes: 4 << 20,
  /** Payload bytes per segment with timestamps (1500 - 20 - 20 - 12). */
  mss: 1_448,
} as const;

/** 1448 payload bytes in every 1538 on the wire at 1 Gbit/s. */
export const GOODPUT_LIMIT_MBPS = (LINK.mss / 1_538) * LINK.speedMbps;

export interface Scenario {
  name: string;
  /** 1-based indices of data segments dropped toward the receiver. */
  drop: number[];
  /** Random loss rate of frames toward the receiver. */
  loss: number;
  /** The lab's seed and ns-3's run number. */
  seed: number;
}

/** A fast-recovery episode: from the third duplicate ACK to the ACK that ends it (-1: still open). */
export interface Episode {
  startS: number;
  endS: number;
  /** The slow-start threshold it set: the window recovery leaves behind. */
  ssthresh: number;
}

export interface Run {
  goodputMbps: number;
  /** [simulated seconds, congestion window in bytes] at each change. */
  cwnd: [number, number][];
  episodes: Episode[];
  /** Retransmit timeouts (the window back to one segment). */
  timeouts: number;
  simSecondsPerWallSecond: number;
  /** What differed from the scenario asked, or "". */
  note: string;
}
