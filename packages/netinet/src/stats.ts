/*
 * The counters the kernel keeps, under the kernel's names: ipstat
 * (netinet/ip_var.h), udpstat (netinet/udp_var.h) and an interface's
 * if_data (net/if.h) with the driver's drops by reason. Every packet that
 * does not reach a socket ends in exactly one of the drop counters.
 */

export class ipstat {
  ips_total = 0; // packets received
  ips_badsum = 0; // header checksum failed
  ips_tooshort = 0; // shorter than its header says
  ips_toosmall = 0; // shorter than a header
  ips_badhlen = 0; // header length out of range
  ips_badlen = 0; // total length below header length
  ips_fragments = 0; // fragments received: not reassembled here, dropped
  ips_badoptions = 0; // options: not handled here, dropped
  ips_noproto = 0; // unknown protocol
  ips_cantforward = 0; // not for us: no forwarding here
  ips_delivered = 0; // handed to a protocol
  ips_localout = 0; // sent from this host
  ips_odropped = 0; // output dropped: no buffers or the interface queue was full
  ips_cantfrag = 0; // larger than the MTU: the model does not fragment
}

export class udpstat {
  udps_ipackets = 0;
  udps_hdrops = 0; // shorter than a UDP header
  udps_badsum = 0;
  udps_badlen = 0;
  udps_noport = 0; // no socket on the port
  udps_fullsock = 0; // the socket's receive buffer was full
  udps_opackets = 0;
}

/** if_data, and the driver's receive and transmit drops by reason. */
export class ifstat {
  if_ipackets = 0;
  if_ibytes = 0;
  if_ierrors = 0; // frames that failed the FCS
  if_iqdrops = 0; // receive drops: no descriptor, no mbuf, the input queue full
  if_opackets = 0;
  if_obytes = 0;
  if_oerrors = 0;
  if_snd_drops = 0; // if_snd was full (IFQ_ENQUEUE failed)
  /** The receive drops of if_iqdrops, by reason. */
  rxRingFull = 0;
  rxNoMbuf = 0;
  pktqFull = 0;
  /** Times the transmit ring filled and IFF_OACTIVE stopped if_start. */
  oactive = 0;
}
