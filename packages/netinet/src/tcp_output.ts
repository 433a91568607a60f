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
 *
 * Shape: tcp_output runs for every segment and every ACK, so it and its
 * "send:" half are plain functions, as ip_output is (@smpnet/sim ops.ts):
 * each operation is a plain call, and when the machine could not carry it
 * out in place the pass goes on in a continuation named for what follows
 * (tcp_send_built after m_getpkt, tcp_send_header after the work, ...),
 * its state passed as arguments, through `after`. The C's `goto again` is
 * a loop while every pass is paid (AGAIN). A generator for each of
 * tcp_output and tcp_send was the largest allocation of a segment. The
 * rare turns (the window closed below what was sent, the persist timer
 * giving way to the retransmit timer, arming the persist timer) stay
 * generators, entered from the plain path.
 */

import {
  after,
  curcpu,
  done,
  type KernelGen,
  type KernelOp,
  paid,
  paidValue,
  work,
} from "@smpnet/sim";
import { callout_stop } from "@smpnet/softint";
import { IP_HDR_LEN, IPPROTO_TCP, TCP_HDR_LEN } from "./constants.js";
import { in_cksum } from "./in_cksum.js";
import { ip_output } from "./ip_output.js";
import { m_getpkt, type mbuf } from "./mbuf.js";
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

/** tcp_output's value for a pass that sent a segment with more to send (the C's `goto again`). */
const AGAIN = -1;

/** tcp_output: sends what is due on `tp`; 0 or an errno from ip_output. */
export function tcp_output(tp: tcpcb): KernelOp<number> {
  const stack = tp.t_socket.stack;
  // idle for longer than an RTO: restart from the initial window (RFC 5681 4.1)
  const idle = tp.snd_max === tp.snd_una;
  if (idle && stack.sim.now - tp.t_rcvtime >= tp.t_rxtcur) {
    tp.snd_cwnd = Math.min(
      tp.snd_cwnd,
      TCP_INITIAL_WINDOW(stack.sysctl["net.inet.tcp.initcwnd_segments"], tp.t_segsz, stack.preset),
    );
  }
  return tcp_output_loop(tp, idle);
}

/**
 * tcp_output.c's `again:` loop, one pass per segment. A pass is AGAIN only
 * when it was paid in place; a pass that was not goes on with the loop
 * itself (tcp_output_on), so that a slow pass nests one `after` the fewer.
 */
function tcp_output_loop(tp: tcpcb, idle: boolean): KernelOp<number> {
  for (;;) {
    const o = tcp_output_pass(tp, idle);
    if (!paid(o)) return o;
    const r = paidValue() as number;
    if (r !== AGAIN) return done(r);
  }
}

/** The rest of tcp_output after the pass `o`: more passes if it was paid and sent with more to send. */
function tcp_output_on(tp: tcpcb, idle: boolean, o: KernelOp<number>): KernelOp<number> {
  if (!paid(o)) return o;
  const r = paidValue() as number;
  return r === AGAIN ? tcp_output_loop(tp, idle) : done(r);
}

/**
 * One pass: the receiver's SACK blocks and the send window; the persist
 * timer stopped first when it forced this call and found the window open
 * (the C stops it after working out the offset and flags: no operation
 * reads or changes them).
 */
function tcp_output_pass(tp: tcpcb, idle: boolean): KernelOp<number> {
  const sackon = (tp.t_flags & TF_SACK_PERMIT) !== 0;
  if (sackon && SEQ_LT(tp.snd_nxt, tp.snd_max)) tcp_sack_adjust(tp);
  // the receiver's SACK blocks take room from the segment's payload
  const sack = sackon && tp.segq.length > 0 ? tcp_sack_blocks(tp) : null;
  const win = Math.min(tp.snd_wnd, tp.snd_cwnd);
  if (tp.t_force && win !== 0) {
    const o = TCP_TIMER_DISARM(tp, TCPT_PERSIST);
    return paid(o)
      ? tcp_output_unforced(tp, idle, sack, win)
      : after(o, tcp_output_unforced, tp, idle, sack, win);
  }
  return tcp_output_len(tp, idle, sack, win);
}

function tcp_output_unforced(
  tp: tcpcb,
  idle: boolean,
  sack: number[] | null,
  win: number,
): KernelOp<number> {
  tp.t_rxtshift = 0;
  return tcp_output_on(tp, idle, tcp_output_len(tp, idle, sack, win));
}

/** How much to send and from where: new data, or in SACK recovery a hole first. */
function tcp_output_len(
  tp: tcpcb,
  idle: boolean,
  sack: number[] | null,
  sendwin: number,
): KernelOp<number> {
  let win = sendwin;
  const sackon = (tp.t_flags & TF_SACK_PERMIT) !== 0;
  const off = seq_sub(tp.snd_nxt, tp.snd_una);
  let flags = tcp_outflags[tp.t_state]!;
  const sb_cc = tp.t_socket.so_snd.sb_cc;
  // in SACK recovery: a hole first, then new data as far as the recovery window allows
  const inRecovery = sackon && tp.t_partialacks >= 0;
  const rxmtbytes = inRecovery ? tcp_sack_bytes_rxmt(tp) : 0;
  const rx = inRecovery ? tcp_sack_hole(tp, rxmtbytes, sb_cc) : null;
  if (tp.t_force && win === 0) {
    // a probe: one byte into the closed window, and no FIN with it unless it is the last
    if (off < sb_cc) flags &= ~TH_FIN;
    win = 1;
  }
  if (rx !== null) {
    // from the scoreboard: the hole's next bytes (never none)
    const rxoff = seq_sub(rx.p.rxmit, tp.snd_una);
    return tcp_output_segment(tp, idle, sack, rxoff, win, flags, sb_cc, rx.len, rx.p);
  }
  let len: number;
  if (inRecovery) {
    len = Math.min(sb_cc, tp.snd_wnd) - off;
    const cwin = tp.snd_cwnd - seq_sub(tp.snd_nxt, tp.sack_newdata) - rxmtbytes;
    if (len > 0) len = Math.min(len, Math.max(cwin, 0));
  } else {
    len = Math.min(sb_cc, win) - off;
  }
  if (len < 0) {
    // the window shrank below what was sent: back to snd_una and probe
    len = 0;
    if (win === 0) return tcp_output_shrunk(tp, idle, sack, off, flags, sb_cc);
  }
  return tcp_output_segment(tp, idle, sack, off, win, flags, sb_cc, len, null);
}

/** The window closed below what was sent (rare): the persist timer instead of the retransmit timer. */
function* tcp_output_shrunk(
  tp: tcpcb,
  idle: boolean,
  sack: number[] | null,
  off: number,
  flags: number,
  sb_cc: number,
): KernelGen<number> {
  yield* TCP_TIMER_DISARM(tp, TCPT_REXMT);
  tp.t_rxtshift = 0;
  tp.snd_nxt = tp.snd_una;
  if (!TCP_TIMER_ISARMED(tp, TCPT_PERSIST)) yield* tcp_setpersist(tp);
  return yield* tcp_output_on(
    tp,
    idle,
    tcp_output_segment(tp, idle, sack, off, 0, flags, sb_cc, 0, null),
  );
}

/**
 * The rest of a pass: a segment's worth at most, the FIN only with the
 * last byte, and the "send:" tests; the segment sent, or the timers seen
 * to while data waits.
 */
function tcp_output_segment(
  tp: tcpcb,
  idle: boolean,
  sack: number[] | null,
  off: number,
  win: number,
  sendflags: number,
  sb_cc: number,
  sendlen: number,
  hole: sackhole | null,
): KernelOp<number> {
  let flags = sendflags;
  let len = sendlen;
  tcp_sndbuf_autoscale(tp, win);
  if (flags & TH_SYN) len = 0; // no data on a SYN in this model
  const segsz = tp.t_segsz - (sack === null ? 0 : TCP_SACK_OPTLEN(sack.length / 2));
  let sendalot = hole !== null;
  if (len > segsz) {
    len = segsz;
    sendalot = true;
  }
  const from = hole === null ? tp.snd_nxt : hole.rxmit;
  if (SEQ_LT(seq_add(from, len), seq_add(tp.snd_una, sb_cc))) flags &= ~TH_FIN;
  const rwin = sbspace(tp.t_socket.so_rcv);
  if (!shouldSend(tp, flags, len, off, sb_cc, idle, rwin, segsz, hole !== null)) {
    return tcp_output_unsent(tp, sb_cc);
  }
  const o = tcp_send(tp, flags, len, rwin, sack, hole);
  return paid(o)
    ? tcp_output_sent(sendalot, paidValue() as number)
    : after(o, tcp_output_resent, tp, idle, sendalot);
}

function tcp_output_sent(sendalot: boolean, error: number): KernelOp<number> {
  return done(error === 0 && sendalot ? AGAIN : error);
}

function tcp_output_resent(
  tp: tcpcb,
  idle: boolean,
  sendalot: boolean,
  error: number,
): KernelOp<number> {
  return tcp_output_on(tp, idle, tcp_output_sent(sendalot, error));
}

/** Nothing due: a timer must still run while data waits. */
function tcp_output_unsent(tp: tcpcb, sb_cc: number): KernelOp<number> {
  // SACK may leave no segment due with the retransmit timer off: it must run
  if (
    (tp.t_flags & TF_SACK_PERMIT) !== 0 &&
    SEQ_GT(tp.snd_max, tp.snd_una) &&
    !TCP_TIMER_ISARMED(tp, TCPT_REXMT)
  ) {
    if (!TCP_TIMER_ISARMED(tp, TCPT_PERSIST)) return tcp_output_rexmt(tp, 0);
  }
  // data waiting and no timer running: the persist timer probes
  if (sb_cc > 0 && !TCP_TIMER_ISARMED(tp, TCPT_REXMT) && !TCP_TIMER_ISARMED(tp, TCPT_PERSIST)) {
    return tcp_output_persist(tp);
  }
  return done(0);
}

function* tcp_output_persist(tp: tcpcb): KernelGen<number> {
  tp.t_rxtshift = 0;
  yield* tcp_setpersist(tp);
  return 0;
}

/** Arms the retransmit timer unless it runs (it will try again); then `error`. */
function tcp_output_rexmt(tp: tcpcb, error: number): KernelOp<number> {
  if (TCP_TIMER_ISARMED(tp, TCPT_REXMT)) return done(error);
  const o = TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
  return paid(o) ? done(error) : after(o, done, error);
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
    const adv = Math.min(rwin, TCP_MAXWIN << tp.rcv_scale) - seq_sub(tp.rcv_adv, tp.rcv_nxt);
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

/**
 * The "send:" half of tcp_output: one segment of `len` bytes from snd_nxt
 * (or the hole's rxmit), built, counted, its sequence numbers and timers
 * advanced, and handed to ip_output under the output lock point. Each
 * step after an operation that may not be paid in place is a
 * continuation named for what it does next.
 */
function tcp_send(
  tp: tcpcb,
  sendflags: number,
  len: number,
  rwin: number,
  sack: number[] | null,
  hole: sackhole | null,
): KernelOp<number> {
  const so = tp.t_socket;
  let flags = sendflags;
  // the segment that empties the send buffer is pushed (tcp_output.c: off + len == sb_cc)
  if (len > 0 && seq_sub(tp.snd_nxt, tp.snd_una) + len === so.so_snd.sb_cc) flags |= TH_PUSH;
  // a SYN always carries the ISS, whatever snd_nxt says (an ACK of a duplicate SYN resends it)
  if (flags & TH_SYN) tp.snd_nxt = tp.iss;
  const blocks = sack !== null && sack.length > 0 && (flags & TH_SYN) === 0 ? sack : null;
  const optlen = tcp_addoptions(
    so.stack.preset,
    (flags & TH_SYN) !== 0 && (tp.t_flags & TF_NOOPT) === 0,
    tcp_sends_wscale(tp, flags),
    tcp_sends_sackperm(tp, flags),
    tcp_sends_tstmp(tp, flags),
    blocks === null ? 0 : blocks.length / 2,
    null,
  );
  const hdrlen = TCP_HDR_LEN + optlen;
  // a FIN sent before and not acked is sent again at its own sequence number
  if (flags & TH_FIN && tp.t_flags & TF_SENTFIN && tp.snd_nxt === tp.snd_max) {
    tp.snd_nxt = seq_add(tp.snd_nxt, -1);
  }
  const o = m_getpkt(so.stack.mbufs, IP_HDR_LEN + hdrlen + len);
  return paid(o)
    ? tcp_send_built(tp, flags, len, rwin, hole, blocks, hdrlen, paidValue() as mbuf | null)
    : after(o, tcp_send_built, tp, flags, len, rwin, hole, blocks, hdrlen);
}

function tcp_send_built(
  tp: tcpcb,
  flags: number,
  len: number,
  rwin: number,
  hole: sackhole | null,
  blocks: number[] | null,
  hdrlen: number,
  m: mbuf | null,
): KernelOp<number> {
  // no buffers: try again when the retransmit timer fires
  if (m === null) return tcp_output_rexmt(tp, ENOBUFS);
  const o = work(tp.t_socket.stack.costs.tcpOutputCycles);
  return paid(o)
    ? tcp_send_header(tp, flags, len, rwin, hole, blocks, hdrlen, m)
    : after(o, tcp_send_header, tp, flags, len, rwin, hole, blocks, hdrlen, m);
}

/** tcpstat's counts, the header and the window to advertise; the checksum unless offloaded. */
function tcp_send_header(
  tp: tcpcb,
  flags: number,
  len: number,
  rwin: number,
  hole: sackhole | null,
  blocks: number[] | null,
  hdrlen: number,
  m: mbuf,
): KernelOp<number> {
  const so = tp.t_socket;
  const stack = so.stack;
  const st = stack.tcpstat;
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
  const wscale = tcp_sends_wscale(tp, flags);
  const tstmp = tcp_sends_tstmp(tp, flags);
  m.id = stack.nextPacketId();
  m.sport = inp.inp_lport;
  m.dport = inp.inp_fport;
  m.data_len = len;
  m.th_off = hdrlen;
  m.th_mss = flags & TH_SYN && (tp.t_flags & TF_NOOPT) === 0 ? tcp_mss_to_advertise(stack) : 0;
  m.th_wscale = wscale ? tp.request_r_scale : -1;
  m.th_ts = tstmp;
  m.th_tsval = tstmp ? tcp_now(stack) : 0;
  m.th_tsecr = tstmp ? tp.ts_recent : 0;
  tcp_rfbuf_stamp(tp, m.th_tsval);
  m.th_sackperm = tcp_sends_sackperm(tp, flags);
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
  win = Math.min(win, TCP_MAXWIN << scale);
  const offered = seq_sub(tp.rcv_adv, tp.rcv_nxt);
  if (win < offered && (flags & TH_RST) === 0) win = offered;
  m.th_win = win >> scale;
  if (!stack.ifp.if_capenable.txChecksum) {
    const o = in_cksum(stack, hdrlen + len);
    if (!paid(o)) return after(o, tcp_send_advance, tp, m, flags, len, hole, win, rexmit);
  }
  return tcp_send_advance(tp, m, flags, len, hole, win, rexmit);
}

/** snd_nxt and snd_max past the segment (or the hole's rxmit), the RTT timing, the retransmit timer. */
function tcp_send_advance(
  tp: tcpcb,
  m: mbuf,
  flags: number,
  len: number,
  hole: sackhole | null,
  win: number,
  rexmit: boolean,
): KernelOp<number> {
  let o: KernelOp<void> | null = null;
  if (hole !== null) {
    // a retransmission from the scoreboard moves the hole's rxmit, not snd_nxt
    hole.rxmit = seq_add(hole.rxmit, len);
    if (!TCP_TIMER_ISARMED(tp, TCPT_REXMT)) o = TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
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
        tp.t_rtttime = tp.t_socket.stack.sim.now;
        tp.t_rtseq = startseq;
        tp.t_socket.stack.tcpstat.tcps_segstimed++;
      }
    }
    if (!TCP_TIMER_ISARMED(tp, TCPT_REXMT) && tp.snd_nxt !== tp.snd_una) {
      if (TCP_TIMER_ISARMED(tp, TCPT_PERSIST))
        return tcp_send_unpersist(tp, m, len, hole, win, rexmit);
      o = TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
    }
  } else {
    const end = seq_add(tp.snd_nxt, len);
    if (SEQ_GT(end, tp.snd_max)) tp.snd_max = end;
  }
  if (o !== null && !paid(o)) return after(o, tcp_send_window, tp, m, len, hole, win, rexmit);
  return tcp_send_window(tp, m, len, hole, win, rexmit);
}

/** Data goes out while the persist timer runs (rare): the retransmit timer takes over. */
function* tcp_send_unpersist(
  tp: tcpcb,
  m: mbuf,
  len: number,
  hole: sackhole | null,
  win: number,
  rexmit: boolean,
): KernelGen<number> {
  yield* TCP_TIMER_DISARM(tp, TCPT_PERSIST);
  tp.t_rxtshift = 0;
  yield* TCP_TIMER_ARM(tp, TCPT_REXMT, tp.t_rxtcur);
  return yield* tcp_send_window(tp, m, len, hole, win, rexmit);
}

/** The window advertised and the ACK sent: a delayed ACK is no longer due. */
function tcp_send_window(
  tp: tcpcb,
  m: mbuf,
  len: number,
  hole: sackhole | null,
  win: number,
  rexmit: boolean,
): KernelOp<number> {
  if (win > 0 && SEQ_GT(seq_add(tp.rcv_nxt, win), tp.rcv_adv)) {
    tp.rcv_adv = seq_add(tp.rcv_nxt, win);
  }
  tp.last_ack_sent = tp.rcv_nxt;
  if (tp.t_flags & TF_DELACK) {
    const o = callout_stop(tp.t_delack_ch);
    if (!paid(o)) return after(o, tcp_send_acked, tp, m, len, hole, rexmit);
  }
  return tcp_send_acked(tp, m, len, hole, rexmit);
}

/** The segment's probes, then ip_output under the output lock point. */
function tcp_send_acked(
  tp: tcpcb,
  m: mbuf,
  len: number,
  hole: sackhole | null,
  rexmit: boolean,
): KernelOp<number> {
  tp.t_flags &= ~(TF_ACKNOW | TF_DELACK);
  const so = tp.t_socket;
  const stack = so.stack;
  const p = stack.probes.tcp_output;
  if (p.on) p.emit(curcpu(), m.id, m.th_seq, m.th_ack, m.th_flags, len, tp.snd_cwnd, tp.t_srtt);
  const pr = stack.probes.tcp_retransmit;
  if (rexmit && pr.on)
    pr.emit(curcpu(), m.id, m.th_seq, len, tp.snd_cwnd, tp.t_srtt, rexmitCause(tp, hole));
  const o = stack.locks.output.enter(so);
  return paid(o) ? tcp_send_locked(tp, m) : after(o, tcp_send_locked, tp, m);
}

function tcp_send_locked(tp: tcpcb, m: mbuf): KernelOp<number> {
  const o = ip_output(tp.t_socket.stack, m, tp.t_inpcb.inp_faddr, IPPROTO_TCP);
  return paid(o) ? tcp_send_output(tp, paidValue() as number) : after(o, tcp_send_output, tp);
}

/** ip_output's error, after the output lock point's exit. */
function tcp_send_output(tp: tcpcb, error: number): KernelOp<number> {
  const so = tp.t_socket;
  const o = so.stack.locks.output.exit(so);
  return paid(o) ? tcp_send_done(tp, error) : after(o, tcp_send_done, tp, error);
}

function tcp_send_done(tp: tcpcb, error: number): KernelOp<number> {
  if (error !== ENOBUFS) return done(error);
  // the interface queue is full: the retransmit timer will try again
  tp.t_socket.stack.tcpstat.tcps_selfquench++;
  return tcp_output_rexmt(tp, ENOBUFS);
}

/** Why a segment is sent again: from the scoreboard, after a timeout, or in fast recovery. */
function rexmitCause(tp: tcpcb, hole: sackhole | null): "sack" | "timeout" | "fast" | "other" {
  if (hole !== null) return "sack";
  if (tp.t_rxtshift > 0) return "timeout";
  return tp.t_partialacks >= 0 ? "fast" : "other";
}
