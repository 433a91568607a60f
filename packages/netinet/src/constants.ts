/*
 * The constants of NetBSD's network stack that the model keeps, each with
 * where it comes from.
 */

/**
 * Bytes of one mbuf: NetBSD's on an LP64 kernel, as both modelled machines
 * run (the ER-4's n64 kernel, sys/arch/mips/include/mips_param.h, and
 * amd64's param.h: 512; 256 only on ILP32 ports).
 */
export const MSIZE = 512;
/** FreeBSD's mbuf on every architecture (sys/sys/param.h MSIZE): sbreserve's share under freebsd. */
export const FREEBSD_MSIZE = 256;
/** Bytes of data in an mbuf, MSIZE less struct m_hdr (56 bytes on LP64, sys/mbuf.h MLEN). */
export const MLEN = MSIZE - 56;
/** Bytes of data in a packet-header mbuf, MLEN less struct pkthdr ("LP64: 56", sys/mbuf.h MHLEN). */
export const MHLEN = MLEN - 56;
/** Bytes of a cluster (sys/param.h MCLBYTES = 1 << MCLSHIFT, 11). */
export const MCLBYTES = 2048;
/** Smallest payload worth a cluster rather than two small mbufs (sys/mbuf.h MINCLSIZE = MHLEN + MLEN + 1). */
export const MINCLSIZE = MHLEN + MLEN + 1;
/**
 * Clusters a host may have out at once (nmbclusters). NetBSD sizes it from
 * physical memory at boot (uipc_mbuf.c mbinit, nmbclusters_limit); 16,384
 * clusters (32 MiB) is an estimate for a 1 GiB router, tunable per kernel.
 */
export const NMBCLUSTERS_DEFAULT = 16_384;

/** Ethernet framing (IEEE 802.3): preamble and start delimiter, before every frame. */
export const ETHER_PREAMBLE_BYTES = 8;
/** Destination, source, type (net/if_ether.h ETHER_HDR_LEN). */
export const ETHER_HDR_LEN = 14;
/** Frame check sequence (net/if_ether.h ETHER_CRC_LEN). */
export const ETHER_CRC_LEN = 4;
/** Inter-frame gap: 96 bit times (IEEE 802.3). */
export const ETHER_IFG_BYTES = 12;
/** Shortest frame without preamble, header and CRC included (net/if_ether.h ETHER_MIN_LEN). */
export const ETHER_MIN_LEN = 64;
/** Smallest MTU an IPv4 interface may have (RFC 791: every host takes 68-byte datagrams). */
export const IP_MIN_MTU = 68;

/** IPv4 header without options (netinet/ip.h). */
export const IP_HDR_LEN = 20;
/** UDP header (netinet/udp.h). */
export const UDP_HDR_LEN = 8;
/** TCP header without options (netinet/tcp.h). */
export const TCP_HDR_LEN = 20;
/** IP protocol numbers (netinet/in.h). */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
/** Fragment offset mask and more-fragments flag (netinet/ip.h IP_OFFMASK, IP_MF). */
export const IP_OFFMASK = 0x1fff;
export const IP_MF = 0x2000;
/** Default TTL (netinet/ip.h IPDEFTTL). */
export const IPDEFTTL = 64;

/** UDP socket buffers (netinet/udp_usrreq.c udp_sendspace 9216, udp_recvspace 40 * (1024 + 16)). */
export const UDP_SENDSPACE = 9_216;
export const UDP_RECVSPACE = 41_600;
/** Largest UDP payload on IPv4. */
export const UDP_MAXPAYLOAD = 65_535 - IP_HDR_LEN - UDP_HDR_LEN;

/** Bytes of an inpcb and its socket on LP64: estimate, for the pcb pool_cache. */
export const INPCB_BYTES = 512;
/** Buckets of the pcb hash tables (in_pcb.c in_pcbinit with tcbhashsize/udbhashsize 128). */
export const INPCBHASH_SIZE = 128;
/** First port of the anonymous range (netinet/in.h IPPORT_ANONMIN). */
export const IPPORT_ANONMIN = 49_152;
