/*
 * TCP output, after NetBSD sys/netinet/tcp_output.c: decides whether a
 * segment is due and sends as many as the windows allow. What may be sent
 * is min(snd_wnd, snd_cwnd) from snd_una; a segment carries at most t_segsz
 * bytes. A short segment waits while data is outstanding unless
 * TCP_NODELAY (Nagle, RFC 896) or it empties the buffer onto an idle
 * connection; a window update is sent when the window opens by two
 * segments or half the buffer, and a small window is not advertised
 * (silly-window avoidance, RFC 1122 4.2.3.3-4). Sending an ACK clears
 * TF_ACKNOW and TF_DELACK. The retransmit timer runs while data is
 * outstanding; with data and a zero window the persist timer does.
 *
 * A data segment is a fresh packet of header plus payload (NetBSD's
 * m_copym shares the send buffer's clusters: here the copy is not charged
 * beyond the mbufs). Its th_seq and length name the bytes it carries.
 * Options, as tcp_output.c builds them (laid out as the host's preset's
 * kernel does, tcp_options.ts): MSS on a SYN; window scale on a SYN when
 * TF_REQ_SCALE (on a SYN-ACK only if the peer's SYN had one); timestamps
 * (TSval our clock, TSecr ts_recent) on a SYN when TF_REQ_TSTMP and on
 * every other segment but a RST once both sides agreed. The option bytes,
 * padded to 32-bit words, count in th_off and on the wire.
 * The window is shifted right by rcv_scale, never on a SYN (RFC 7323 2.2).
 * SACK (tcp_sack.ts): SACK-permitted on a SYN when TF_WILL_SACK (on a
 * SYN-ACK only if the peer's SYN had it); the receiver's blocks on every
 * other segment while the reassembly queue holds data, their bytes taken
 * from the segment's payload; in recovery, retransmissions from the
 * scoreboard before new data, each hole's rxmit advancing and snd_nxt
 * left alone. TCP_NOOPT (TF_NOOPT) sends a SYN without options (its
 * setsockopt also clears TF_REQ_SCALE, TF_REQ_TSTMP and TF_WILL_SACK).
 * Each pass may grow so_snd a step, and a segment sent may begin a
 * receive-autosizing round (tcp_autosize.ts).
 */

import { curcpu, type KernelGen, work } from "@smpnet/sim";
import { callout_stop } from "@smpnet/softint";
import { IP_HDR_LEN, IPPROTO_TCP, TCP_HDR_LEN } from "./constants.js";
import { in_cksum } from "./in_cksum.js";
import { ip_output } from "./ip_output.js";
import { m_getpkt } from "./mbuf.js";
import { ENOBUFS, SS_MORETOCOME } from "./socketvar.js";
import { tcp_rfbuf_stamp, tcp_sndbuf_autoscale } from "./tcp_autosize.js";
import { TCP_INITIAL_WINDOW, TCP_MAXWIN } from "./tcp_congctl.js";
import { TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN, tcp_outflags } from "./tcp_fsm.js";
import { tcp_addoptions } from "./tcp_options.js";
import {
  TCP_SACK_OPTLEN,
  tcp_sack_adjust,
  tcp_sack_blocks,
  tcp_sack_bytes_rxmt,
  tcp_sack_output,
} from "./tcp_sack.js";
import { SEQ_GEQ, SEQ_GT, SEQ_LT, seq_add, seq_sub } from "./tcp_seq.js";
import { tcp_mss_to_advertise, tcp_now } from "./tcp_subr.js";
import {
  TCP_TIMER_ARM,
  TCP_TIMER_DISARM,
  TCP_TIMER_ISARMED,
  TCPT_PERSIST,
  TCPT_REXMT,
  tcp_setpersist,
} from "./tcp_timer.js";
import {
  type sackhole,
  TF_ACKNOW,
  TF_DELACK,
  TF_NODELAY,
  TF_NOOPT,
  TF_RCVD_SCALE,
  TF_RCVD_TSTMP,
  TF_REQ_SCALE,
  TF_REQ_TSTMP,
  TF_SACK_PERMIT,
  TF_SENTFIN,
  TF_WILL_SACK,
  type tcpcb,
} from "./tcp_var.js";
import { sbspace } from "./uipc_socket2.js";

/** Timestamps with two NOPs (tcp.h TCPOLEN_TSTAMP_APPA): the options of a data segment. */
export const TCPOLEN_TSTAMP_APPA = 12;

/** Does a segment with `flags` carry a window scale / timestamps? (tcp_output.c's conditions) */
function tcp_sends_wscale(tp: tcpcb, flags: number): boolean {
  return (
    (flags & TH_SYN) !== 0 &&
    (tp.t_flags & TF_REQ_SCALE) !== 0 &&
    ((flags & TH_ACK) === 0 || (tp.t_flags & TF_RCVD_SCALE) !== 0)
  );
}
function tcp_sends_sackperm(tp: tcpcb, flags: number): boolean {
  return (
    (flags & TH_SYN) !== 0 &&
    (tp.t_flags & TF_WILL_SACK) !== 0 &&
    ((flags & TH_ACK) === 0 || (tp.t_flags & TF_SACK_PERMIT) !== 0)
  );
}
function tcp_sends_tstmp(tp: tcpcb, flags: number): boolean {
  return (
    (tp.t_flags & TF_REQ_TSTMP) !== 0 &&
    (flags & TH_RST) === 0 &&
    ((flags & (TH_SYN | TH_ACK)) === TH_SYN || (tp.t_flags & TF_RCVD_TSTMP) !== 0)
  );
}

/** tcp_output: sends what is due on `tp`; 0 or an errno from ip_output. */
export function* tcp_output(tp: tcpcb): KernelGen<number> {
  const so = tp.t_socket;
  const stack = so.stack;
  const now = stack.sim.now;
  // idle for longer than an RTO: restart from the initial window (RFC 5681 4.1)
  const idle = tp.snd_max === tp.snd_una;
  if (idle && now - tp.t_rcvtime >= tp.t_rxtcur) {
    tp.snd_cwnd = Math.min(
      tp.snd_cwnd,
      TCP_INITIAL_WINDOW(stack.sysctl["net.inet.tcp.initcwnd_segments"], tp.t_segsz, stack.preset),
    );
  }
  for (;;) {
    const sackon = (tp.t_flags & TF_SACK_PERMIT) !== 0;
    if (sackon && SEQ_LT(tp.snd_nxt, tp.snd_max)) tcp_sack_adjust(tp);
    // the receiver's SACK blocks take room from the segment's payload
    const sack = sackon && tp.segq.length > 0 ? tcp_sack_blocks(tp) : null;
    const segsz = tp.t_segsz - (sack === null ? 0 : TCP_SACK_OPTLEN(sack.length / 2));
    let off = seq_sub(tp.snd_nxt, tp.snd_una);
    let win = Math.min(tp.snd_wnd, tp.snd_cwnd);
    let flags = tcp_outflags[tp.t_state]!;
    const sb_cc = so.so_snd.sb_cc;
    // in SACK recovery: a hole first, then new data as far as the recovery window allows
    const inRecovery = sackon && tp.t_partialacks >= 0;
    const rxmtbytes = inRecovery ? tcp_sack_bytes_rxmt(tp) : 0;
    const rx = inRecovery ? tcp_sack_hole(tp, rxmtbytes, sb_cc) : null;
    const hole = rx === null ? null : rx.p;
    if (tp.t_force) {
      if (win === 0) {
        // a probe: one byte into the closed window, and no FIN with it unless it is the last
        if (off < sb_cc) flags &= ~TH_FIN;
        win = 1;
      } else {
        yield* TCP_TIMER_DISARM(tp, TCPT_PERSIST);
        tp.t_rxtshift = 0;
      }
    }
    let len: number;
    if (hole !== null) {
      off = seq_sub(hole.rxmit, tp.snd_una);
      len = rx!.len;
    } else if (inRecovery) {
      len = Math.min(sb_cc, tp.snd_wnd) - off;
      const cwin = tp.snd_cwnd - seq_sub(tp.snd_nxt, tp.sack_newdata) - rxmtbytes;
      if (len > 0) len = Math.min(len, Math.max(cwin, 0));
    } else {
      len = Math.min(sb_cc, win) - off;
    }
    if (len < 0) {
      // the window shrank below what was sent: back to snd_una and probe
      len = 0;
      if (win === 0) {
        yield* TCP_TIMER_DISARM(tp, TCPT_REXMT);
        tp.t_rxtshift = 0;
        tp.snd_nxt = tp.snd_una;
        if (!TCP_TIMER_ISARMED(tp, TCPT_PERSIST)) yield* tcp_setpersist(tp);
      }
    }
    tcp_sndbuf_autoscale(tp, win);
    if (flags & TH_SYN) len = 0; // no data on a SYN in this model
    let sendalot = hole !== null;
    if (len > segsz) {
      len = segsz;
      sendalot = true;
    }
    const from = hole === null ? tp.snd_nxt : hole.rxmit;
    if (SEQ_LT(seq_add(from, len), seq_add(tp.snd_una, sb_cc))) flags &= ~TH_FIN;
    const rwin = sbspace(so.so_rcv);
    if (!shouldSend(tp, flags, len, off, sb_cc, idle, rwin, segsz, hole !== null)) {
      // SACK may leave no segment due with the retransmit timer off: it must run
      if (sackon && SEQ_GT(tp.snd_max, tp.snd_una) && !TCP_TIMER_ISARMED(tp, TCPT_REXMT)) {
        if (!TCP_TIMER_ISARMED(tp, TCPT_PERSIST)) {
          yield* TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
          return 0;
        }
      }
      // data waiting and no timer running: the persist timer probes
      if (sb_cc > 0 && !TCP_TIMER_ISARMED(tp, TCPT_REXMT) && !TCP_TIMER_ISARMED(tp, TCPT_PERSIST)) {
        tp.t_rxtshift = 0;
        yield* tcp_setpersist(tp);
      }
      return 0;
    }
    const error = yield* tcp_send(tp, flags, len, rwin, sack, hole);
    if (error !== 0 || !sendalot) return error;
  }
}

/**
 * The hole to retransmit from in SACK recovery and how much of it: no
 * more than the window less what recovery retransmitted, and nothing at
 * or past snd_recover (the next episode's).
 */
function tcp_sack_hole(
  tp: tcpcb,
  rxmtbytes: number,
  sb_cc: number,
): { p: sackhole; len: number } | null {
  const p = tcp_sack_output(tp);
  if (p === null) return null;
  const cwin = Math.max(Math.min(tp.snd_wnd, tp.snd_cwnd) - rxmtbytes, 0);
  let len: number;
  if (SEQ_GT(p.end, tp.snd_recover)) {
    if (SEQ_GEQ(p.rxmit, tp.snd_recover)) return null;
    len = Math.min(cwin, seq_sub(tp.snd_recover, p.rxmit));
  } else {
    len = Math.min(cwin, seq_sub(p.end, p.rxmit));
  }
  // never past the data (the FIN's sequence number is not in the buffer)
  len = Math.min(len, sb_cc - seq_sub(p.rxmit, tp.snd_una));
  return len > 0 ? { p, len } : null;
}

/** The "send:" tests of tcp_output: is a segment due? */
function shouldSend(
  tp: tcpcb,
  flags: number,
  len: number,
  off: number,
  sb_cc: number,
  idle: boolean,
  rwin: number,
  segsz: number,
  sackRxmit: boolean,
): boolean {
  if (len > 0) {
    if (len === segsz || sackRxmit) return true;
    // a short last piece waits while sosend has more for it (SS_MORETOCOME)
    if (
      (tp.t_socket.so_state & SS_MORETOCOME) === 0 &&
      (idle || tp.t_flags & TF_NODELAY) &&
      len + off >= sb_cc
    ) {
      return true;
    }
    if (tp.t_force) return true;
    if (len >= tp.max_sndwnd / 2 && tp.max_sndwnd > 0) return true;
    if (SEQ_LT(tp.snd_nxt, tp.snd_max)) return true;
  }
  if (rwin > 0) {
    // how far the window would open beyond what was advertised
    const adv = Math.min(rwin, TCP_MAXWIN * 2 ** tp.rcv_scale) - seq_sub(tp.rcv_adv, tp.rcv_nxt);
    if (adv >= 2 * tp.t_segsz) return true;
    if (2 * adv >= tp.t_socket.so_rcv.sb_hiwat) return true;
  }
  if (tp.t_flags & TF_ACKNOW) return true;
  if (flags & (TH_SYN | TH_RST)) return true;
  if (flags & TH_FIN && ((tp.t_flags & TF_SENTFIN) === 0 || tp.snd_nxt === tp.snd_una)) {
    return true;
  }
  return false;
}

/** The "send:" half of tcp_output: one segment of `len` bytes from snd_nxt. */
function* tcp_send(
  tp: tcpcb,
  flags: number,
  len: number,
  rwin: number,
  sack: number[] | null,
  hole: sackhole | null,
): KernelGen<number> {
  const so = tp.t_socket;
  const stack = so.stack;
  const st = stack.tcpstat;
  // the segment that empties the send buffer is pushed (tcp_output.c: off + len == sb_cc)
  if (len > 0 && seq_sub(tp.snd_nxt, tp.snd_una) + len === so.so_snd.sb_cc) flags |= TH_PUSH;
  // a SYN always carries the ISS, whatever snd_nxt says (an ACK of a duplicate SYN resends it)
  if (flags & TH_SYN) tp.snd_nxt = tp.iss;
  const wscale = tcp_sends_wscale(tp, flags);
  const sackperm = tcp_sends_sackperm(tp, flags);
  const tstmp = tcp_sends_tstmp(tp, flags);
  const blocks = sack !== null && sack.length > 0 && (flags & TH_SYN) === 0 ? sack : null;
  const optlen = tcp_addoptions(
    stack.preset,
    (flags & TH_SYN) !== 0 && (tp.t_flags & TF_NOOPT) === 0,
    wscale,
    sackperm,
    tstmp,
    blocks === null ? 0 : blocks.length / 2,
    null,
  );
  const hdrlen = TCP_HDR_LEN + optlen;
  // a FIN sent before and not acked is sent again at its own sequence number
  if (flags & TH_FIN && tp.t_flags & TF_SENTFIN && tp.snd_nxt === tp.snd_max) {
    tp.snd_nxt = seq_add(tp.snd_nxt, -1);
  }
  const m = yield* m_getpkt(stack.mbufs, IP_HDR_LEN + hdrlen + len);
  if (m === null) {
    // no buffers: try again when the retransmit timer fires
    if (!TCP_TIMER_ISARMED(tp, TCPT_REXMT)) yield* TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
    return ENOBUFS;
  }
  yield* work(stack.costs.tcpOutputCycles);
  const seq = hole === null ? tp.snd_nxt : hole.rxmit;
  let rexmit = false;
  if (len > 0) {
    if (tp.t_force && len === 1) st.tcps_sndprobe++;
    else if (SEQ_LT(seq, tp.snd_max)) {
      rexmit = true;
      st.tcps_sndrexmitpack++;
      tp.t_sndrexmitpack++;
      st.tcps_sndrexmitbyte += len;
      if (hole !== null) {
        st.tcps_sack_rexmits++;
        st.tcps_sack_rexmit_bytes += len;
      }
    } else {
      st.tcps_sndpack++;
      st.tcps_sndbyte += len;
    }
  } else if (tp.t_flags & TF_ACKNOW) st.tcps_sndacks++;
  else if (flags & (TH_SYN | TH_FIN | TH_RST)) st.tcps_sndctrl++;
  else st.tcps_sndwinup++;
  st.tcps_sndtotal++;
  const inp = tp.t_inpcb;
  m.id = stack.nextPacketId();
  m.sport = inp.inp_lport;
  m.dport = inp.inp_fport;
  m.data_len = len;
  m.th_off = hdrlen;
  m.th_mss = flags & TH_SYN && (tp.t_flags & TF_NOOPT) === 0 ? tcp_mss_to_advertise(stack) : 0;
  m.th_wscale = wscale ? tp.request_r_scale : -1;
  m.th_sackperm = sackperm;
  m.th_ts = tstmp;
  m.th_tsval = tstmp ? tcp_now(stack) : 0;
  m.th_tsecr = tstmp ? tp.ts_recent : 0;
  tcp_rfbuf_stamp(tp, m.th_tsval);
  m.th_sackperm = sackperm;
  m.th_sack = blocks;
  if (blocks !== null) st.tcps_sack_send_blocks += blocks.length / 2;
  m.th_flags = flags;
  // a bare ACK after everything was sent carries snd_max
  m.th_seq =
    hole !== null
      ? hole.rxmit
      : len > 0 || flags & (TH_SYN | TH_FIN) || TCP_TIMER_ISARMED(tp, TCPT_PERSIST)
        ? tp.snd_nxt
        : tp.snd_max;
  m.th_ack = flags & TH_ACK ? tp.rcv_nxt : 0;
  // receiver-side silly-window avoidance, and never shrink what was offered
  let win = rwin;
  if (win < so.so_rcv.sb_hiwat / 4 && win < tp.t_segsz) win = 0;
  // a RST advertises no window (FreeBSD tcp_output.c)
  if (flags & TH_RST) win = 0;
  // a SYN's window is never scaled (RFC 7323 2.2)
  const scale = flags & TH_SYN ? 0 : tp.rcv_scale;
  win = Math.min(win, TCP_MAXWIN * 2 ** scale);
  const offered = seq_sub(tp.rcv_adv, tp.rcv_nxt);
  if (win < offered && (flags & TH_RST) === 0) win = offered;
  m.th_win = Math.floor(win / 2 ** scale);
  if (!stack.ifp.if_capenable.txChecksum) yield* in_cksum(stack, hdrlen + len);

  if (hole !== null) {
    // a retransmission from the scoreboard moves the hole's rxmit, not snd_nxt
    hole.rxmit = seq_add(hole.rxmit, len);
    if (!TCP_TIMER_ISARMED(tp, TCPT_REXMT)) yield* TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
  } else if (!tp.t_force || !TCP_TIMER_ISARMED(tp, TCPT_PERSIST)) {
    const startseq = tp.snd_nxt;
    if (flags & TH_SYN) tp.snd_nxt = seq_add(tp.snd_nxt, 1);
    if (flags & TH_FIN) {
      tp.snd_nxt = seq_add(tp.snd_nxt, 1);
      tp.t_flags |= TF_SENTFIN;
    }
    tp.snd_nxt = seq_add(tp.snd_nxt, len);
    if (SEQ_GT(tp.snd_nxt, tp.snd_max)) {
      tp.snd_max = tp.snd_nxt;
      // time this segment if none is being timed (Karn: never a retransmission)
      if (tp.t_rtttime < 0) {
        tp.t_rtttime = stack.sim.now;
        tp.t_rtseq = startseq;
        st.tcps_segstimed++;
      }
    }
    if (!TCP_TIMER_ISARMED(tp, TCPT_REXMT) && tp.snd_nxt !== tp.snd_una) {
      if (TCP_TIMER_ISARMED(tp, TCPT_PERSIST)) {
        yield* TCP_TIMER_DISARM(tp, TCPT_PERSIST);
        tp.t_rxtshift = 0;
      }
      yield* TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
    }
  } else {
    const end = seq_add(tp.snd_nxt, len);
    if (SEQ_GT(end, tp.snd_max)) tp.snd_max = end;
  }
  if (win > 0 && SEQ_GT(seq_add(tp.rcv_nxt, win), tp.rcv_adv)) {
    tp.rcv_adv = seq_add(tp.rcv_nxt, win);
  }
  tp.last_ack_sent = tp.rcv_nxt;
  if (tp.t_flags & TF_DELACK) yield* callout_stop(tp.t_delack_ch);
  tp.t_flags &= ~(TF_ACKNOW | TF_DELACK);
  const p = stack.probes.tcp_output;
  if (p.on) p.emit(curcpu(), m.id, m.th_seq, m.th_ack, m.th_flags, len, tp.snd_cwnd, tp.t_srtt);
  const pr = stack.probes.tcp_retransmit;
  if (rexmit && pr.on)
    pr.emit(curcpu(), m.id, m.th_seq, len, tp.snd_cwnd, tp.t_srtt, rexmitCause(tp, hole));
  const locks = stack.locks;
  yield* locks.output.enter(so);
  const error = yield* ip_output(stack, m, inp.inp_faddr, IPPROTO_TCP);
  yield* locks.output.exit(so);
  if (error === ENOBUFS) {
    // the interface queue is full: the retransmit timer will try again
    st.tcps_selfquench++;
    if (!TCP_TIMER_ISARMED(tp, TCPT_REXMT)) yield* TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
  }
  return error;
}

/** Why a segment is sent again: from the scoreboard, after a timeout, or in fast recovery. */
function rexmitCause(tp: tcpcb, hole: sackhole | null): "sack" | "timeout" | "fast" | "other" {
  if (hole !== null) return "sack";
  if (tp.t_rxtshift > 0) return "timeout";
  return tp.t_partialacks >= 0 ? "fast" : "other";
}
