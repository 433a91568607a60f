/*
 * Deliberately broken variants of TCP, for tests only: each is a bug a
 * kernel developer could write, switched on per host by the `fault` TCP
 * option, so a test can show it catches the bug (the package README lists
 * which test catches which). No fault is on unless a test asks for one.
 */

export const TCP_FAULTS = [
  /** tcp_input takes one byte more than the receive window offers. */
  "rcvwnd-off-by-one",
  /** An ACK that empties the send buffer forgets to wake the writer (sowwakeup). */
  "lost-wakeup",
  /** The keepalive timer is not re-armed after a probe. */
  "keep-not-rearmed",
  /** The duplicate-ACK test compares sequence numbers as plain integers, wrong across 2^32. */
  "seq-no-wrap",
] as const;

export type TcpFault = (typeof TCP_FAULTS)[number];
