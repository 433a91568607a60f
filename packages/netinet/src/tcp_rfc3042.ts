/*
 * Limited Transmit (RFC 3042), as FreeBSD's sys/netinet/tcp_input.c does it
 * in tcp_do_segment when net.inet.tcp.rfc3042 (V_tcp_do_rfc3042) is on: the
 * first and second duplicate ACK each say a segment has left the network,
 * so each may send one new segment without waiting for the third. cwnd is
 * set for the one call to tcp_output to the flight plus the duplicates not
 * yet spent (t_dupacks - snd_limited segments), then put back, so neither
 * the window nor the ssthresh a later fast retransmit takes from it grows;
 * snd_limited counts the segments sent, which the fast retransmit's window
 * inflation then leaves out (tcp_reno_do_fast_retransmit).
 *
 * NetBSD has no limited transmit: its tcp_input.c counts duplicates up to
 * tcprexmtthresh and sends nothing before then, so the netbsd preset has
 * the sysctl off. tcp_output is called only when the buffer holds data
 * beyond the flight, as newer FreeBSD does (older ones call it always; with
 * no new data it sends nothing either way); the peer's first FIN is not
 * taken as a duplicate here (tcp_input.ts), as FreeBSD. Left out: newer
 * FreeBSD's cc_ack_received(CC_DUPACK) call, which no module here acts on.
 */

import type { KernelGen } from "@smpnet/sim";
import { tcp_output } from "./tcp_output.js";
import { seq_sub } from "./tcp_seq.js";
import type { tcpcb } from "./tcp_var.js";

/** The first or second duplicate ACK outside recovery: one new segment if there is data for it. */
export function* tcp_limited_transmit(tp: tcpcb): KernelGen {
  const oldcwnd = tp.snd_cwnd;
  const oldsndmax = tp.snd_max;
  if (tp.t_dupacks === 1) tp.snd_limited = 0;
  const flight = seq_sub(tp.snd_nxt, tp.snd_una);
  tp.snd_cwnd = flight + (tp.t_dupacks - tp.snd_limited) * tp.t_segsz;
  // only new data is worth a call: the flight is already in the buffer
  if (tp.t_socket.so_snd.sb_cc > flight) yield* tcp_output(tp);
  const sent = seq_sub(tp.snd_max, oldsndmax);
  // more than a segment: the second duplicate sent for both (or a FIN rode along)
  if (sent > tp.t_segsz) tp.snd_limited = 2;
  else if (sent > 0) tp.snd_limited++;
  tp.snd_cwnd = oldcwnd;
}
