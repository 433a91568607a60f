/*
 * The TCP control block and TCP's counters, after NetBSD
 * sys/netinet/tcp_var.h. One tcpcb per TCP socket, linked to its inpcb;
 * sequence variables are 32-bit and compared with tcp_seq.ts. Times (the
 * RTT estimate, the retransmit timeout) are kept in ns where NetBSD keeps
 * ticks of its slow and fast timers: the callouts that carry them are set
 * in ticks of hz (tcp_timer.ts).
 *
 * RFC 7323's state: TF_REQ_SCALE/TF_RCVD_SCALE with request_r_scale (the
 * shift we ask for), requested_s_scale (the peer's), and rcv_scale/snd_scale
 * once both sides agreed; TF_REQ_TSTMP/TF_RCVD_TSTMP with ts_recent (the
 * peer's TSval to echo) and ts_recent_age (our clock when it was taken).
 *
 * SACK (RFC 2018, tcp_sack.ts): TF_WILL_SACK (we offer it), TF_SACK_PERMIT
 * (both sides agreed), the sender's scoreboard snd_holes with snd_fack,
 * rcv_lastsack and sack_newdata. The congestion control module is
 * t_congctl (tcp_congctl.ts), with CUBIC's state (tcp_cc_cubic.ts).
 *
 * Left out: urgent data.
 */

import type { callout_t } from "@smpnet/softint";
import type { inpcb } from "./in_pcb.js";
import type { mbuf } from "./mbuf.js";
import type { socket } from "./socketvar.js";
import type { tcp_congctl } from "./tcp_congctl.js";
import { TCPS_CLOSED } from "./tcp_fsm.js";
import type { TcpKeep } from "./tcp_timer.js";

/** setsockopt at IPPROTO_TCP (tcp.h): no Nagle. */
export const TCP_NODELAY = 1;
/** setsockopt at IPPROTO_TCP (tcp.h): the largest segment to send. */
export const TCP_MAXSEG = 2;
/** setsockopt at IPPROTO_TCP (tcp.h): no TCP options on the SYN. */
export const TCP_NOOPT = 8;
/** setsockopt at IPPROTO_TCP (NetBSD tcp.h): keepalive idle time and interval (s), probes before the drop. */
export const TCP_KEEPIDLE = 3;
export const TCP_KEEPINTVL = 5;
export const TCP_KEEPCNT = 6;
/** setsockopt at IPPROTO_TCP (NetBSD tcp.h): the connection-establishment timeout (s). */
export const TCP_KEEPINIT = 7;
/** setsockopt at IPPROTO_TCP (FreeBSD tcp.h): the congestion control module by name. */
export const TCP_CONGESTION = 64;

/** t_flags (tcp_var.h). */
export const TF_ACKNOW = 0x0001; // send an ACK now
export const TF_DELACK = 0x0002; // an ACK is owed, the delayed-ACK callout runs
export const TF_NODELAY = 0x0004; // TCP_NODELAY: no Nagle
export const TF_SENTFIN = 0x0010; // a FIN has been sent
export const TF_REQ_SCALE = 0x0020; // we will ask for (or agree to) window scaling
export const TF_RCVD_SCALE = 0x0040; // the peer's SYN carried a window scale
export const TF_REQ_TSTMP = 0x0080; // we will ask for (or agree to) timestamps
export const TF_RCVD_TSTMP = 0x0100; // the peer's SYN carried a timestamp
export const TF_NOOPT = 0x0200; // TCP_NOOPT: no options on our SYN
export const TF_SACK_PERMIT = 0x0400; // both sides agreed to SACK (TCP_SACK_ENABLED)
export const TF_WILL_SACK = 0x0800; // we offer SACK (tcp_do_sack)

/** A hole in the sender's scoreboard (struct sackhole): not SACKed, retransmitted up to rxmit. */
export interface sackhole {
  start: number;
  end: number;
  rxmit: number;
}

/** A segment waiting in the reassembly queue (struct ipqent): its range and the mbuf holding it. */
export interface tcpqent {
  seq: number;
  len: number;
  fin: boolean;
  m: mbuf;
  /** When it arrived, in segments received: SACK reports the newest block first (the timeq order). */
  arrival: number;
}

export class tcpcb {
  t_state = TCPS_CLOSED;
  t_flags = 0;
  /** Set on tcp_close: a callout that fires afterwards finds the tcpcb gone. */
  dead = false;
  /** Current segment size (NetBSD's t_segsz; FreeBSD's t_maxseg). */
  t_segsz: number;
  /** The peer's MSS option (t_peermss). */
  t_peermss = 0;

  // send sequence space
  iss = 0;
  snd_una = 0;
  snd_nxt = 0;
  snd_max = 0;
  snd_wnd = 0;
  /** Segment sequence and ack of the last window update (snd_wl1, snd_wl2). */
  snd_wl1 = 0;
  snd_wl2 = 0;
  max_sndwnd = 0;

  // receive sequence space
  irs = 0;
  rcv_nxt = 0;
  rcv_wnd = 0;
  rcv_adv = 0;
  last_ack_sent = 0;

  // RFC 7323 window scaling: shifts in bits
  snd_scale = 0;
  rcv_scale = 0;
  request_r_scale = 0;
  requested_s_scale = 0;
  // RFC 7323 timestamps: the TSval to echo, and tcp_now when it came (ms)
  ts_recent = 0;
  ts_recent_age = 0;

  // congestion control (tcp_congctl.ts)
  snd_cwnd = 0;
  snd_ssthresh = 0;
  /** snd_max when fast recovery began: NewReno's recover (RFC 6582). */
  snd_recover = 0;
  /** snd_max when the last retransmit timeout fired: no fast retransmit below it. */
  snd_high = 0;
  t_dupacks = 0;
  /** Segments limited transmit sent on this run of duplicates (FreeBSD's snd_limited, tcp_rfc3042.ts). */
  snd_limited = 0;
  /** -1 outside fast recovery, else the partial ACKs seen in it. */
  t_partialacks = -1;
  /** Bytes acknowledged toward the next cwnd increase (appropriate byte counting). */
  t_bytes_acked = 0;
  /** The congestion control module (NetBSD's t_congctl; chosen with TCP_CONGESTION). */
  t_congctl: tcp_congctl;
  // CUBIC (tcp_cc_cubic.ts): W_max (bytes), the epoch's start (ns, -1: none), K (ns),
  // the Reno-friendly estimate W_est (bytes) and the increase carried between ACKs (bytes)
  snd_cubic_wmax = 0;
  snd_cubic_ctime = -1;
  snd_cubic_k = 0;
  snd_cubic_west = 0;
  snd_cubic_frac = 0;

  // SACK (tcp_sack.ts): the scoreboard in sequence order, the highest SACKed byte (snd_fack),
  // the end of the last SACK block seen (rcv_lastsack), snd_nxt when recovery began (sack_newdata)
  readonly snd_holes: sackhole[] = [];
  snd_fack = 0;
  rcv_lastsack = 0;
  sack_newdata = 0;
  /** Segments put in the reassembly queue: each entry's arrival stamp. */
  t_segqarrivals = 0;

  // keepalive and connection-establishment timers (ns) and probes, set by the socket options
  t_keepinit: number;
  t_keepidle: number;
  t_keepintvl: number;
  t_keepcnt: number;
  /** A TCP_MAXSEG cap on the segment size (0: none). */
  t_maxseg_opt = 0;

  // retransmission and RTT (ns)
  t_rxtshift = 0;
  /** Data segments this connection retransmitted (FreeBSD's t_sndrexmitpack, what TCP_INFO reports). */
  t_sndrexmitpack = 0;
  t_rxtcur: number;
  /** Smoothed RTT and its variation; 0 until the first measurement. */
  t_srtt = 0;
  t_rttvar = 0;
  /** When the timed segment was sent (-1: none timed) and its sequence. */
  t_rtttime = -1;
  t_rtseq = 0;
  /** When a segment was last received (t_rcvtime). */
  t_rcvtime = 0;
  /** tcp_output must send a byte into a zero window (a persist probe). */
  t_force = false;

  /** The reassembly queue (segq), in sequence order. */
  readonly segq: tcpqent[] = [];

  // receive-buffer autosizing (tcp_autosize.ts): our timestamp clock (ms) when the
  // measured round began (0: none begun) and the bytes received in it
  rfbuf_ts = 0;
  rfbuf_cnt = 0;

  constructor(
    readonly t_inpcb: inpcb,
    segsz: number,
    rxtcur: number,
    /** t_timer[TCPT_REXMT], [TCPT_PERSIST], [TCPT_KEEP], [TCPT_2MSL], and the delayed-ACK callout. */
    readonly t_timer: readonly [
      rexmt: callout_t,
      persist: callout_t,
      keep: callout_t,
      msl: callout_t,
    ],
    readonly t_delack_ch: callout_t,
    congctl: tcp_congctl,
    keep: TcpKeep,
  ) {
    this.t_segsz = segsz;
    this.t_rxtcur = rxtcur;
    this.t_congctl = congctl;
    this.t_keepinit = keep.init;
    this.t_keepidle = keep.idle;
    this.t_keepintvl = keep.intvl;
    this.t_keepcnt = keep.cnt;
  }

  get t_socket(): socket {
    return this.t_inpcb.inp_socket;
  }
}

/** TCP's counters (struct tcpstat, tcp_var.h), the ones this model keeps. */
export class tcpstat {
  tcps_connattempt = 0; // connections initiated
  tcps_accepts = 0; // connections accepted
  tcps_connects = 0; // connections established
  tcps_drops = 0; // connections dropped
  tcps_conndrops = 0; // embryonic connections dropped
  tcps_closed = 0; // connections closed
  tcps_segstimed = 0; // segments whose RTT was timed
  tcps_rttupdated = 0; // times the RTT estimate was updated
  tcps_delack = 0; // delayed ACKs sent
  tcps_timeoutdrop = 0; // connections dropped by retransmit timeouts
  tcps_rexmttimeo = 0; // retransmit timeouts
  tcps_persisttimeo = 0; // persist timeouts
  tcps_sndtotal = 0; // segments sent
  tcps_sndpack = 0; // data segments sent
  tcps_sndbyte = 0; // data bytes sent
  tcps_sndrexmitpack = 0; // data segments retransmitted
  tcps_sndrexmitbyte = 0; // data bytes retransmitted
  tcps_sndacks = 0; // ACK-only segments sent
  tcps_sndprobe = 0; // window probes sent
  tcps_sndwinup = 0; // window updates sent
  tcps_sndctrl = 0; // control segments sent (SYN, FIN, RST)
  tcps_sndrst = 0; // RSTs sent (tcp_respond)
  tcps_rcvtotal = 0; // segments received
  tcps_rcvpack = 0; // in-sequence data segments received
  tcps_rcvbyte = 0; // in-sequence data bytes received
  tcps_rcvbadsum = 0; // checksum failed
  tcps_rcvbadoff = 0; // bad header length
  tcps_rcvshort = 0; // shorter than a header
  tcps_rcvduppack = 0; // wholly duplicate segments
  tcps_rcvdupbyte = 0;
  tcps_rcvpartduppack = 0; // partly duplicate segments
  tcps_rcvpartdupbyte = 0;
  tcps_rcvoopack = 0; // out-of-order segments
  tcps_rcvoobyte = 0;
  tcps_rcvpackafterwin = 0; // segments with data beyond the window
  tcps_rcvbyteafterwin = 0;
  tcps_rcvwinprobe = 0; // window probes received
  tcps_rcvdupack = 0; // duplicate ACKs
  tcps_rcvacktoomuch = 0; // ACKs for data not yet sent
  tcps_rcvackpack = 0; // segments that acknowledged new data
  tcps_rcvackbyte = 0; // bytes they acknowledged
  tcps_rcvwinupd = 0; // window updates received
  tcps_rcvafterclose = 0; // data after the socket was closed
  tcps_noport = 0; // segments to no socket
  tcps_listendrop = 0; // SYNs dropped: the listen queue was full
  tcps_badsyn = 0; // SYNs that were not acceptable
  tcps_selfquench = 0; // ip_output returned ENOBUFS
  tcps_pawsdrop = 0; // segments dropped by PAWS (an old timestamp)
  tcps_fastretrans = 0; // fast retransmits (the third duplicate ACK)
  tcps_newrenorxmt = 0; // NewReno retransmissions on a partial ACK
  tcps_sack_recovery_episode = 0; // SACK recovery episodes begun
  tcps_sack_rexmits = 0; // segments retransmitted from the SACK scoreboard
  tcps_sack_rexmit_bytes = 0;
  tcps_sack_rcv_blocks = 0; // SACK blocks received
  tcps_sack_send_blocks = 0; // SACK blocks sent
  tcps_keeptimeo = 0; // keepalive or connection-establishment timeouts
  tcps_keepprobe = 0; // keepalive probes sent
  tcps_keepdrops = 0; // connections dropped by them
  tcps_delackfires = 0; // delayed-ACK timer fires (tcps_delack counts the ACKs)
  tcps_msltimeo = 0; // 2MSL timer fires
}
