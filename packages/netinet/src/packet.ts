/*
 * What the model keeps of a packet instead of its bytes: the IPv4 header's
 * fields, the transport ports, the flow hash, and the payload's identity (a
 * UDP datagram's id and length; a TCP segment's header, whose sequence
 * number and length give the range of the stream it carries). An
 * mbuf's packet header and a frame on the wire both carry it; the NIC's DMA
 * and the driver's transmit copy it from one to the other.
 */

export class PacketHeader {
  /** Bytes from the IP header on (m_pkthdr.len; a frame's IP packet). */
  len = 0;
  /** Packet id for probes: one id follows a packet from the wire to the user. */
  id = 0;
  /** Flow hash (m_pkthdr's hash, the NIC's RSS hash). */
  hash = 0;
  /** A checksum of this packet does not verify (a corrupted frame). */
  corrupt = false;
  ip_src = 0;
  ip_dst = 0;
  ip_p = 0;
  ip_len = 0;
  ip_off = 0;
  ip_ttl = 0;
  ip_hl = 0;
  sport = 0;
  dport = 0;
  data_id = 0;
  data_len = 0;
  /** TCP header (netinet/tcp.h): sequence, acknowledgment, flags, window, header length. */
  th_seq = 0;
  th_ack = 0;
  th_flags = 0;
  th_win = 0;
  th_off = 0;
  /** The MSS option of a SYN (TCPOPT_MAXSEG), 0 when absent. */
  th_mss = 0;
  /** The window-scale option of a SYN (TCPOPT_WINDOW): its shift, -1 when absent. */
  th_wscale = -1;
  /** The timestamps option (TCPOPT_TIMESTAMP): present, TSval and TSecr. */
  th_ts = false;
  th_tsval = 0;
  th_tsecr = 0;
  /** The SACK-permitted option of a SYN (TCPOPT_SACK_PERMITTED). */
  th_sackperm = false;
  /** The SACK option's blocks (TCPOPT_SACK) as [left, right, ...] pairs; null when absent. Never mutated once sent. */
  th_sack: readonly number[] | null = null;

  /** Copies every field of `h` (DMA into a receive buffer, a frame from a packet). */
  copyHeader(h: PacketHeader): void {
    this.len = h.len;
    this.id = h.id;
    this.hash = h.hash;
    this.corrupt = h.corrupt;
    this.ip_src = h.ip_src;
    this.ip_dst = h.ip_dst;
    this.ip_p = h.ip_p;
    this.ip_len = h.ip_len;
    this.ip_off = h.ip_off;
    this.ip_ttl = h.ip_ttl;
    this.ip_hl = h.ip_hl;
    this.sport = h.sport;
    this.dport = h.dport;
    this.data_id = h.data_id;
    this.data_len = h.data_len;
    this.th_seq = h.th_seq;
    this.th_ack = h.th_ack;
    this.th_flags = h.th_flags;
    this.th_win = h.th_win;
    this.th_off = h.th_off;
    this.th_mss = h.th_mss;
    this.th_wscale = h.th_wscale;
    this.th_sackperm = h.th_sackperm;
    this.th_ts = h.th_ts;
    this.th_tsval = h.th_tsval;
    this.th_tsecr = h.th_tsecr;
    this.th_sack = h.th_sack;
  }

  /** Clears every field, as m_gethdr does. */
  clearHeader(): void {
    this.len = this.id = this.hash = 0;
    this.corrupt = false;
    this.ip_src =
      this.ip_dst =
      this.ip_p =
      this.ip_len =
      this.ip_off =
      this.ip_ttl =
      this.ip_hl =
        0;
    this.sport = this.dport = this.data_id = this.data_len = 0;
    this.th_seq = this.th_ack = this.th_flags = this.th_win = this.th_off = this.th_mss = 0;
    this.th_wscale = -1;
    this.th_sackperm = false;
    this.th_ts = false;
    this.th_tsval = this.th_tsecr = 0;
    this.th_sack = null;
  }
}
