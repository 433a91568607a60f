/*
 * Initial sequence numbers as each kernel chooses them. A new connection on
 * a 4-tuple still in TIME_WAIT at the other end is only accepted if its SYN
 * lies above the old connection's rcv_nxt (RFC 1122 4.2.2.13, tcp_twcheck),
 * so both kernels make a host's ISNs climb over time and over connections.
 *
 * NetBSD (sys/netinet/tcp_subr.c tcp_new_iss1): 24 random bits
 * (cprng_fast32() & TCP_ISS_RANDOM_MASK) plus the counter tcp_iss_seq,
 * which grows by TCP_ISSINCR for each new ISS and on every 500 ms slow
 * timeout (tcp_timer.c tcp_slowtimo); with net.inet.tcp.iss_hash (RFC
 * 1948) a keyed hash of the 4-tuple with a 16-byte secret plus
 * tcp_iss_seq, stepped first. The same routine gives the SYN-ACK's ISS
 * (syn_cache_add).
 *
 * FreeBSD (sys/netinet/tcp_subr.c tcp_new_isn, RFC 6528): a keyed hash of
 * the 4-tuple with a per-boot secret plus isn_offset, which grows by 4096
 * to 8191 per connection and catches up with a clock of
 * ISN_BYTES_PER_SECOND whenever the tick has changed. The SYN-ACK's ISS is
 * arc4random() (tcp_syncache.c syncache_add); with syncookies on it is
 * syncookie_generate's MAC, as unpredictable, which the model leaves out.
 *
 * Randomness (the secret, the random bits) comes from the run's seeded
 * generator, drawn at first use as both kernels seed at first use. The
 * hash is not FreeBSD's MD5 (tcp_keyed_hash): a keyed 32-bit mix of the
 * 4-tuple, fixed per 4-tuple for a run and unpredictable to the peer, which
 * is all TIME_WAIT recycling needs (NetBSD's iss_hash uses MD5 too, and
 * gets the same mix). Left out: tcp_compat_42's masking, FreeBSD's
 * isn_reseed_interval.
 */

import { NS_PER_SEC } from "@smpnet/sim";
import type { NetStack } from "./stack.js";
import { SEQ_GT } from "./tcp_seq.js";
import type { tcpcb } from "./tcp_var.js";

/** Bits of randomness in a NetBSD ISS (tcp_seq.h TCP_ISS_RANDOM_MASK 0x00ffffff). */
export const TCP_ISS_RANDOM_MASK = 0x00ff_ffff;
/** NetBSD's tcp_iss_seq step, per new ISS and per slow timeout (tcp_seq.h TCP_ISSINCR 0x01000000). */
export const TCP_ISSINCR = 0x0100_0000;
/** NetBSD's slow timeouts per second (protosw.h PR_SLOWHZ 2): tcp_slowtimo's rate. */
const PR_SLOWHZ = 2;
/** FreeBSD's ISN clock rate (tcp_subr.c ISN_BYTES_PER_SECOND 1048576). */
export const ISN_BYTES_PER_SECOND = 1_048_576;
/** FreeBSD's least step per connection (tcp_subr.c ISN_STATIC_INCREMENT 4096). */
export const ISN_STATIC_INCREMENT = 4_096;
/** FreeBSD's random part of a step, a mask (tcp_subr.c ISN_RANDOM_INCREMENT 4096 - 1). */
const ISN_RANDOM_INCREMENT = 4_095;
/** FreeBSD's secret, in 32-bit words (tcp_subr.c ISN_SECRET_LENGTH 32 bytes). */
const ISN_SECRET_WORDS = 8;
/** NetBSD's iss_hash secret, in 32-bit words (tcp_subr.c tcp_iss_secret[16]). */
const TCP_ISS_SECRET_WORDS = 4;

/** One host's ISN generator state (NetBSD's tcp_iss_seq, FreeBSD's V_isn_*). */
export class tcp_iss_state {
  /** NetBSD: the new ISSes so far (tcp_iss_seq less its slow-timeout part). */
  issued = 0;
  /** The kernel's secret (NetBSD tcp_iss_secret, FreeBSD V_isn_secret), drawn at first use. */
  secret: Uint32Array | null = null;
  isn_offset = 0;
  isn_offset_old = 0;
  isn_last = 0;
}

/** NetBSD's tcp_iss_seq now: TCP_ISSINCR per ISS issued and per 500 ms slow timeout since boot. */
function tcp_iss_seq(stack: NetStack): number {
  const slowticks = Math.floor((stack.sim.now * PR_SLOWHZ) / NS_PER_SEC);
  return Math.imul(stack.tcp_iss.issued + slowticks, TCP_ISSINCR) >>> 0;
}

/** The secret of `words` 32-bit words, drawn at first use (NetBSD's RUN_ONCE, FreeBSD's first call). */
function iss_secret(stack: NetStack, words: number): Uint32Array {
  const s = stack.tcp_iss;
  if (s.secret === null) {
    s.secret = new Uint32Array(words);
    for (let i = 0; i < words; i++) s.secret[i] = stack.sim.rng.int(0, 0xffff_ffff);
  }
  return s.secret;
}

/** The connection's 4-tuple hashed with `key`. */
function tuple_hash(stack: NetStack, tp: tcpcb, key: Uint32Array): number {
  const inp = tp.t_inpcb;
  const laddr = inp.inp_laddr || stack.addr;
  return tcp_keyed_hash(key, inp.inp_faddr, inp.inp_fport, laddr, inp.inp_lport);
}

/**
 * NetBSD tcp_new_iss1: random low bits on the counter, which then steps;
 * with iss_hash the counter steps first and is added to the 4-tuple's hash.
 */
function tcp_new_iss1(stack: NetStack, tp: tcpcb): number {
  if (stack.sysctl["net.inet.tcp.iss_hash"] !== 0) {
    const hash = tuple_hash(stack, tp, iss_secret(stack, TCP_ISS_SECRET_WORDS));
    stack.tcp_iss.issued++;
    return (hash + tcp_iss_seq(stack)) >>> 0;
  }
  const iss = (stack.sim.rng.int(0, TCP_ISS_RANDOM_MASK) + tcp_iss_seq(stack)) >>> 0;
  stack.tcp_iss.issued++;
  return iss;
}

/** tcp_keyed_hash: a keyed 32-bit mix of the 4-tuple (murmur3's steps; not FreeBSD's MD5). */
export function tcp_keyed_hash(
  key: Uint32Array,
  faddr: number,
  fport: number,
  laddr: number,
  lport: number,
): number {
  let h = key[0]!;
  const absorb = (w: number) => {
    let k = Math.imul(w, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  };
  absorb((fport << 16) | lport);
  absorb(faddr);
  absorb(laddr);
  for (let i = 1; i < key.length; i++) absorb(key[i]!);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FreeBSD tcp_new_isn: the 4-tuple's hash plus an offset that climbs per connection and with the clock. */
function tcp_new_isn(stack: NetStack, tp: tcpcb): number {
  const s = stack.tcp_iss;
  const hash = tuple_hash(stack, tp, iss_secret(stack, ISN_SECRET_WORDS));
  const inc = ISN_STATIC_INCREMENT + stack.sim.rng.int(0, ISN_RANDOM_INCREMENT);
  s.isn_offset = (s.isn_offset + inc) >>> 0;
  const ticks = Math.floor((stack.sim.now * stack.hz) / NS_PER_SEC);
  if (ticks !== s.isn_last) {
    // ISN_BYTES_PER_SECOND / hz per tick, in C's integer division
    const step = Math.floor(ISN_BYTES_PER_SECOND / stack.hz);
    const projected = (s.isn_offset_old + step * (ticks - s.isn_last)) >>> 0;
    if (SEQ_GT(projected, s.isn_offset)) s.isn_offset = projected;
    s.isn_offset_old = s.isn_offset;
    s.isn_last = ticks;
  }
  return (hash + s.isn_offset) >>> 0;
}

/** tcp_new_iss: the ISS of an active open (NetBSD tcp_new_iss, FreeBSD tcp_new_isn). */
export function tcp_new_iss(tp: tcpcb): number {
  const stack = tp.t_socket.stack;
  return stack.preset === "freebsd" ? tcp_new_isn(stack, tp) : tcp_new_iss1(stack, tp);
}

/** The ISS of a SYN-ACK (NetBSD syn_cache_add's tcp_new_iss1, FreeBSD syncache_add's arc4random). */
export function syn_cache_iss(tp: tcpcb): number {
  const stack = tp.t_socket.stack;
  return stack.preset === "freebsd" ? stack.sim.rng.int(0, 0xffff_ffff) : tcp_new_iss1(stack, tp);
}
