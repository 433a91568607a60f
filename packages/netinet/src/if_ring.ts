/*
 * A NIC's descriptor ring: a fixed number of slots, filled in order and
 * given back oldest first, as the hardware's descriptor array (ixg's
 * tx_ring and rx_ring, cnmac's). Slots are reused in place, so a ring
 * allocates nothing once made.
 */

export class DescRing<T> {
  private readonly slots: (T | null)[];
  /** The oldest entry's slot. */
  head = 0;
  /** Entries in use. */
  count = 0;

  constructor(readonly size: number) {
    this.slots = Array.from({ length: size }, () => null);
  }

  /** Fills the next slot (the caller has checked count < size); returns its index. */
  put(x: T): number {
    let i = this.head + this.count;
    if (i >= this.size) i -= this.size;
    this.slots[i] = x;
    this.count++;
    return i;
  }

  /** Gives back the oldest entry, or null when none is in use. */
  take(): T | null {
    if (this.count === 0) return null;
    const x = this.slots[this.head]!;
    this.slots[this.head] = null;
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
    this.count--;
    return x;
  }
}
