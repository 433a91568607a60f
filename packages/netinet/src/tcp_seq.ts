/*
 * TCP sequence numbers, after NetBSD sys/netinet/tcp_seq.h: 32-bit values
 * compared modulo 2^32 (the sign of the 32-bit difference), so a stream
 * may run past 2^32 and wrap. Sequence numbers are kept as unsigned
 * numbers in 0..2^32-1; seq_add wraps a sum back into that range.
 */

/** a < b in sequence space. */
export function SEQ_LT(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function SEQ_LEQ(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function SEQ_GT(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function SEQ_GEQ(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** a + n, wrapped to 32 bits (n may be negative). */
export function seq_add(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** The distance from b forward to a (a - b modulo 2^32, as a signed 32-bit value). */
export function seq_sub(a: number, b: number): number {
  return (a - b) | 0;
}
