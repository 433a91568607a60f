/*
 * mbufs, after NetBSD sys/kern/uipc_mbuf.c and sys/sys/mbuf.h: a packet is a
 * chain of mbufs linked by m_next, the first with a packet header; data that
 * does not fit in an mbuf goes into a 2 KiB cluster (M_EXT). Both come from
 * pool_caches (mb_cache, mcl_cache) with a hard limit: an allocation past it
 * fails (M_DONTWAIT) and the caller drops the packet and counts it.
 *
 * Payload bytes are not stored. The headers the stack reads are fields of
 * the packet header (PacketHeader: ip_*, the ports, the payload's identity).
 * Lengths (m_len, m_pkthdr.len) are kept exactly, so copies cost what their
 * bytes cost.
 *
 * mbuf objects are made once per pool item and reused with it: a packet
 * allocates nothing but what the pools hand out.
 */

import {
  type PoolItem,
  pool_cache_get,
  pool_cache_init,
  pool_cache_put,
  type pool_cache_t,
} from "@smpnet/core";
import { type Host, IPL_VM, type KernelGen, SimError, work } from "@smpnet/sim";
import { MCLBYTES, MHLEN, MSIZE } from "./constants.js";
import { PacketHeader } from "./packet.js";

/** m_flags (sys/mbuf.h). */
export const M_EXT = 0x1;
export const M_PKTHDR = 0x2;

export class mbuf extends PacketHeader {
  m_next: mbuf | null = null;
  /** The next packet in a queue (if_snd, a socket buffer's record list). */
  m_nextpkt: mbuf | null = null;
  m_len = 0;
  m_flags = 0;
  /** The cluster holding this mbuf's data, with M_EXT. */
  m_ext: PoolItem | null = null;
  /** The NIC checked the IP and transport checksums (M_CSUM_IPv4 etc. with no _BAD). */
  csumVerified = false;

  constructor(
    /** This mbuf's own memory. */
    readonly item: PoolItem,
  ) {
    super();
  }

  /** Bytes of data this mbuf can hold. */
  get capacity(): number {
    return this.m_ext !== null ? MCLBYTES : MHLEN;
  }
}

/** The mbuf allocator of one host: the two pool_caches, their limits, mbstat. */
export class MbufPools {
  readonly mb_cache: pool_cache_t;
  readonly mcl_cache: pool_cache_t;
  /** mbufs and clusters out now. */
  mbufsOut = 0;
  clustersOut = 0;
  /** Allocations refused at the limit (mbstat's m_drops). */
  drops = 0;
  private readonly mbufs = new Map<PoolItem, mbuf>();

  constructor(
    host: Host,
    readonly mbufLimit: number,
    readonly clusterLimit: number,
    readonly mbufCycles: number,
  ) {
    this.mb_cache = pool_cache_init(host, "mbpl", MSIZE, 0, IPL_VM);
    this.mcl_cache = pool_cache_init(host, "mclpl", MCLBYTES, 0, IPL_VM);
  }

  wrap(item: PoolItem): mbuf {
    let m = this.mbufs.get(item);
    if (m === undefined) {
      m = new mbuf(item);
      this.mbufs.set(item, m);
    }
    return m;
  }
}

/** m_get(M_DONTWAIT): an mbuf without packet header, or null at the limit. */
export function* m_get(mp: MbufPools): KernelGen<mbuf | null> {
  if (mp.mbufsOut >= mp.mbufLimit) {
    mp.drops++;
    return null;
  }
  mp.mbufsOut++;
  const m = mp.wrap(yield* pool_cache_get(mp.mb_cache));
  yield* work(mp.mbufCycles);
  m.m_next = null;
  m.m_nextpkt = null;
  m.m_len = 0;
  m.m_flags = 0;
  m.m_ext = null;
  return m;
}

/** m_gethdr(M_DONTWAIT): an mbuf with a cleared packet header, or null at the limit. */
export function* m_gethdr(mp: MbufPools): KernelGen<mbuf | null> {
  const m = yield* m_get(mp);
  if (m === null) return null;
  m.m_flags = M_PKTHDR;
  m.clearHeader();
  m.csumVerified = false;
  return m;
}

/** m_clget(M_DONTWAIT): attaches a cluster; false (and no M_EXT) at the limit. */
export function* m_clget(mp: MbufPools, m: mbuf): KernelGen<boolean> {
  if (mp.clustersOut >= mp.clusterLimit) {
    mp.drops++;
    return false;
  }
  mp.clustersOut++;
  m.m_ext = yield* pool_cache_get(mp.mcl_cache);
  m.m_flags |= M_EXT;
  return true;
}

/** m_free: one mbuf and its cluster back to their caches; returns its successor. */
export function* m_free(mp: MbufPools, m: mbuf): KernelGen<mbuf | null> {
  const next = m.m_next;
  if (m.m_ext !== null) {
    const ext = m.m_ext;
    m.m_ext = null;
    mp.clustersOut--;
    yield* pool_cache_put(mp.mcl_cache, ext);
  }
  m.m_next = null;
  m.m_nextpkt = null;
  mp.mbufsOut--;
  yield* work(mp.mbufCycles);
  yield* pool_cache_put(mp.mb_cache, m.item);
  return next;
}

/** m_freem: a whole chain. */
export function* m_freem(mp: MbufPools, m: mbuf | null): KernelGen {
  for (let n = m; n !== null; ) n = yield* m_free(mp, n);
}

/**
 * m_getpkt: a packet of `len` bytes (header mbuf, clusters as needed), the
 * shape sosend and a driver's receive give it; null, with nothing held, at
 * the limit.
 */
export function* m_getpkt(mp: MbufPools, len: number): KernelGen<mbuf | null> {
  const top = yield* m_gethdr(mp);
  if (top === null) return null;
  let m = top;
  let left = len;
  for (;;) {
    if (left > MHLEN && !(yield* m_clget(mp, m))) {
      yield* m_freem(mp, top);
      return null;
    }
    m.m_len = Math.min(left, m.capacity);
    left -= m.m_len;
    if (left === 0) break;
    const n = yield* m_get(mp);
    if (n === null) {
      yield* m_freem(mp, top);
      return null;
    }
    m.m_next = n;
    m = n;
  }
  top.len = len;
  return top;
}

/** m_copydata: how many of `len` bytes from `off` the chain holds (the model copies no bytes). */
export function m_copydata(m: mbuf, off: number, len: number): number {
  if (off < 0 || len < 0 || off + len > m.len) {
    throw new SimError(`m_copydata: ${off}+${len} outside a ${m.len}-byte packet`);
  }
  return len;
}

/** m_adj: trims `n` bytes from the head (n > 0) or the tail (n < 0) of the packet. */
export function m_adj(m: mbuf, n: number): void {
  let left = Math.min(Math.abs(n), m.len);
  m.len -= left;
  if (n >= 0) {
    for (let x: mbuf | null = m; x !== null && left > 0; x = x.m_next) {
      const cut = Math.min(x.m_len, left);
      x.m_len -= cut;
      left -= cut;
    }
    return;
  }
  // from the tail: keep the first m.len bytes
  let keep = m.len;
  for (let x: mbuf | null = m; x !== null; x = x.m_next) {
    x.m_len = Math.min(x.m_len, keep);
    keep -= x.m_len;
  }
}

/**
 * m_pullup: makes the first `len` bytes contiguous in the first mbuf,
 * moving bytes from the ones after it at the memcpy rate; false if the
 * packet is shorter (the caller drops it, as m_pullup frees it).
 */
export function* m_pullup(m: mbuf, len: number, bytesPerCycle: number): KernelGen<boolean> {
  if (len > m.len || len > m.capacity) return false;
  if (m.m_len >= len) return true;
  const moved = len - m.m_len;
  yield* work(moved / bytesPerCycle);
  let need = moved;
  for (let x = m.m_next; x !== null && need > 0; x = x.m_next) {
    const take = Math.min(x.m_len, need);
    x.m_len -= take;
    need -= take;
  }
  m.m_len = len;
  return true;
}
