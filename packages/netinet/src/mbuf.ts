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
import {
  after,
  done,
  type Host,
  IPL_VM,
  type KernelOp,
  paid,
  paidValue,
  SimError,
  work,
} from "@smpnet/sim";
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

  constructor(
    host: Host,
    readonly mbufLimit: number,
    readonly clusterLimit: number,
    readonly mbufCycles: number,
  ) {
    this.mb_cache = pool_cache_init(host, "mbpl", MSIZE, 0, IPL_VM);
    this.mcl_cache = pool_cache_init(host, "mclpl", MCLBYTES, 0, IPL_VM);
  }

  /** The mbuf of a pool item, made the first time the item is handed out (pc_ctor). */
  wrap(item: PoolItem): mbuf {
    let m = item.constructed as mbuf | null;
    if (m === null) {
      m = new mbuf(item);
      item.constructed = m;
    }
    return m;
  }
}

/*
 * m_get, m_gethdr, m_clget, m_free, m_freem and m_pullup are plain
 * functions on their fast path, as pool_cache_get is (sim's ops.ts, "Plain
 * kernel helpers"): they cost no generator unless an operation must go
 * through the loop; so are m_getpkt, which loops over them (each step of
 * its loop the rest after one of them), and m_freem_list.
 */

/** m_get(M_DONTWAIT): an mbuf without packet header, or null at the limit. */
export function m_get(mp: MbufPools): KernelOp<mbuf | null> {
  if (mp.mbufsOut >= mp.mbufLimit) {
    mp.drops++;
    return done(null);
  }
  mp.mbufsOut++;
  const o = pool_cache_get(mp.mb_cache);
  return paid(o) ? m_get_init(mp, paidValue() as PoolItem) : after(o, m_get_init, mp);
}

function m_get_init(mp: MbufPools, item: PoolItem): KernelOp<mbuf> {
  const m = mp.wrap(item);
  const o = work(mp.mbufCycles);
  return paid(o) ? m_reset(m) : after(o, m_reset, m);
}

function m_reset(m: mbuf): KernelOp<mbuf> {
  m.m_next = null;
  m.m_nextpkt = null;
  m.m_len = 0;
  m.m_flags = 0;
  m.m_ext = null;
  return done(m);
}

/** m_gethdr(M_DONTWAIT): an mbuf with a cleared packet header, or null at the limit. */
export function m_gethdr(mp: MbufPools): KernelOp<mbuf | null> {
  const o = m_get(mp);
  return paid(o) ? m_hdr(paidValue() as mbuf | null) : after(o, m_hdr);
}

function m_hdr(m: mbuf | null): KernelOp<mbuf | null> {
  if (m !== null) {
    m.m_flags = M_PKTHDR;
    m.clearHeader();
    m.csumVerified = false;
  }
  return done(m);
}

/** m_clget(M_DONTWAIT): attaches a cluster; false (and no M_EXT) at the limit. */
export function m_clget(mp: MbufPools, m: mbuf): KernelOp<boolean> {
  if (mp.clustersOut >= mp.clusterLimit) {
    mp.drops++;
    return done(false);
  }
  mp.clustersOut++;
  const o = pool_cache_get(mp.mcl_cache);
  return paid(o) ? m_ext(m, paidValue() as PoolItem) : after(o, m_ext, m);
}

function m_ext(m: mbuf, cluster: PoolItem): KernelOp<boolean> {
  m.m_ext = cluster;
  m.m_flags |= M_EXT;
  return done(true);
}

/** m_free: one mbuf and its cluster back to their caches; returns its successor. */
export function m_free(mp: MbufPools, m: mbuf): KernelOp<mbuf | null> {
  if (m.m_ext === null) return m_free_mbuf(mp, m);
  const ext = m.m_ext;
  m.m_ext = null;
  mp.clustersOut--;
  const o = pool_cache_put(mp.mcl_cache, ext);
  return paid(o) ? m_free_mbuf(mp, m) : after(o, m_free_mbuf, mp, m);
}

function m_free_mbuf(mp: MbufPools, m: mbuf): KernelOp<mbuf | null> {
  const next = m.m_next;
  m.m_next = null;
  m.m_nextpkt = null;
  mp.mbufsOut--;
  const o = work(mp.mbufCycles);
  return paid(o) ? m_free_item(mp, m, next) : after(o, m_free_item, mp, m, next);
}

function m_free_item(mp: MbufPools, m: mbuf, next: mbuf | null): KernelOp<mbuf | null> {
  const o = pool_cache_put(mp.mb_cache, m.item);
  return paid(o) ? done(next) : after(o, done, next);
}

/** m_freem: a whole chain. */
export function m_freem(mp: MbufPools, m: mbuf | null): KernelOp<void> {
  for (let n = m; n !== null; ) {
    const o = m_free(mp, n);
    if (!paid(o)) return after(o, m_freem, mp);
    n = paidValue() as mbuf | null;
  }
  return done(undefined);
}

/**
 * m_getpkt: a packet of `len` bytes (header mbuf, clusters as needed), the
 * shape sosend and a driver's receive give it; null, with nothing held, at
 * the limit.
 */
export function m_getpkt(mp: MbufPools, len: number): KernelOp<mbuf | null> {
  const o = m_gethdr(mp);
  return paid(o)
    ? m_getpkt_fill(mp, len, paidValue() as mbuf | null, null, len)
    : after(o, m_getpkt_top, mp, len);
}

function m_getpkt_top(mp: MbufPools, len: number, top: mbuf | null): KernelOp<mbuf | null> {
  return m_getpkt_fill(mp, len, top, null, len);
}

/** m_getpkt's loop from mbuf `m` (null: the header, `top`), with `left` bytes to place. */
function m_getpkt_fill(
  mp: MbufPools,
  len: number,
  top: mbuf | null,
  m: mbuf | null,
  left: number,
): KernelOp<mbuf | null> {
  if (top === null) return done(null);
  const cur = m ?? top;
  if (left <= MHLEN) return m_getpkt_place(mp, len, top, cur, left, true);
  const o = m_clget(mp, cur);
  return paid(o)
    ? m_getpkt_place(mp, len, top, cur, left, paidValue() as boolean)
    : after(o, m_getpkt_place, mp, len, top, cur, left);
}

function m_getpkt_place(
  mp: MbufPools,
  len: number,
  top: mbuf,
  m: mbuf,
  left: number,
  room: boolean,
): KernelOp<mbuf | null> {
  if (!room) return m_getpkt_fail(mp, top);
  m.m_len = Math.min(left, m.capacity);
  left -= m.m_len;
  if (left === 0) {
    top.len = len;
    return done(top);
  }
  const o = m_get(mp);
  return paid(o)
    ? m_getpkt_link(mp, len, top, m, left, paidValue() as mbuf | null)
    : after(o, m_getpkt_link, mp, len, top, m, left);
}

function m_getpkt_link(
  mp: MbufPools,
  len: number,
  top: mbuf,
  m: mbuf,
  left: number,
  n: mbuf | null,
): KernelOp<mbuf | null> {
  if (n === null) return m_getpkt_fail(mp, top);
  m.m_next = n;
  return m_getpkt_fill(mp, len, top, n, left);
}

/** At the limit: nothing held. */
function m_getpkt_fail(mp: MbufPools, top: mbuf): KernelOp<mbuf | null> {
  const o = m_freem(mp, top);
  return paid(o) ? done(null) : after(o, done, null);
}

/** m_freem of each packet of a list linked by m_nextpkt. */
export function m_freem_list(mp: MbufPools, m: mbuf | null): KernelOp<void> {
  while (m !== null) {
    const next: mbuf | null = m.m_nextpkt;
    m.m_nextpkt = null;
    const o = m_freem(mp, m);
    if (!paid(o)) return after(o, m_freem_list, mp, next);
    m = next;
  }
  return done(undefined);
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
export function m_pullup(m: mbuf, len: number, bytesPerCycle: number): KernelOp<boolean> {
  if (len > m.len || len > m.capacity) return done(false);
  if (m.m_len >= len) return done(true);
  const o = work((len - m.m_len) / bytesPerCycle);
  return paid(o) ? m_pulled(m, len) : after(o, m_pulled, m, len);
}

function m_pulled(m: mbuf, len: number): KernelOp<boolean> {
  let need = len - m.m_len;
  for (let x = m.m_next; x !== null && need > 0; x = x.m_next) {
    const take = Math.min(x.m_len, need);
    x.m_len -= take;
    need -= take;
  }
  m.m_len = len;
  return done(true);
}
