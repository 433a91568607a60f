/*
 * TCP's socket options, after the IPPROTO_TCP half of NetBSD's
 * tcp_ctloutput (sys/netinet/tcp_usrreq.c), with FreeBSD's TCP_CONGESTION:
 *
 * - TCP_NODELAY sets or clears TF_NODELAY (no Nagle).
 * - TCP_MAXSEG caps the segment size: 1 up to the MSS this host offers,
 *   else EINVAL. NetBSD lowers t_peermss, which the handshake then
 *   overwrites with the peer's offer; here the cap holds across it.
 * - TCP_NOOPT: the SYN goes without options (no MSS, window scale, SACK
 *   or timestamps), so the connection runs without them.
 * - TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPINIT in seconds and TCP_KEEPCNT
 *   in probes, each at least 1 (EINVAL otherwise), as NetBSD's.
 * - TCP_CONGESTION by name: ENOENT for a module nobody registered; the new
 *   module starts from the current window with no state of its own.
 *
 * getsockopt returns the same settings (TCP_MAXSEG the segment size in use).
 */

import { NS_PER_SEC } from "@smpnet/sim";
import type { sockoptval } from "./protosw.js";
import { EINVAL, ENOENT, ENOPROTOOPT } from "./socketvar.js";
import { tcp_congctl_lookup } from "./tcp_cc.js";
import { tcp_mss_to_advertise } from "./tcp_subr.js";
import {
  TCP_CONGESTION,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINIT,
  TCP_KEEPINTVL,
  TCP_MAXSEG,
  TCP_NODELAY,
  TCP_NOOPT,
  TF_NODELAY,
  TF_NOOPT,
  TF_REQ_SCALE,
  TF_REQ_TSTMP,
  TF_WILL_SACK,
  type tcpcb,
} from "./tcp_var.js";

/** The keepalive options, by name: the tcpcb field each sets and its unit in ns (1: a count). */
const KEEP_OPTS: ReadonlyMap<number, [keyof tcpcb & `t_keep${string}`, number]> = new Map([
  [TCP_KEEPIDLE, ["t_keepidle", NS_PER_SEC]],
  [TCP_KEEPINTVL, ["t_keepintvl", NS_PER_SEC]],
  [TCP_KEEPINIT, ["t_keepinit", NS_PER_SEC]],
  [TCP_KEEPCNT, ["t_keepcnt", 1]],
]);

/** setsockopt at IPPROTO_TCP: 0, EINVAL, ENOENT or ENOPROTOOPT. */
export function tcp_ctloutput(tp: tcpcb, name: number, value: sockoptval): number {
  if (name === TCP_CONGESTION) {
    if (typeof value !== "string") return EINVAL;
    const cc = tcp_congctl_lookup(value);
    if (cc === null) return ENOENT;
    tp.t_congctl = cc;
    tp.snd_cubic_wmax = 0;
    tp.snd_cubic_ctime = -1;
    return 0;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) return EINVAL;
  const keep = KEEP_OPTS.get(name);
  if (keep !== undefined) {
    if (value < 1) return EINVAL;
    tp[keep[0]] = value * keep[1];
    return 0;
  }
  switch (name) {
    case TCP_NODELAY:
      if (value) tp.t_flags |= TF_NODELAY;
      else tp.t_flags &= ~TF_NODELAY;
      return 0;
    case TCP_MAXSEG:
      if (value < 1 || value > tcp_mss_to_advertise(tp.t_socket.stack)) return EINVAL;
      tp.t_maxseg_opt = value;
      if (tp.t_segsz > value) tp.t_segsz = value;
      return 0;
    case TCP_NOOPT:
      if (value) {
        tp.t_flags |= TF_NOOPT;
        tp.t_flags &= ~(TF_REQ_SCALE | TF_REQ_TSTMP | TF_WILL_SACK);
      } else {
        tp.t_flags &= ~TF_NOOPT;
      }
      return 0;
  }
  return ENOPROTOOPT;
}

/** getsockopt at IPPROTO_TCP: 0 with `out.value`, or ENOPROTOOPT. */
export function tcp_ctloutput_get(tp: tcpcb, name: number, out: { value: sockoptval }): number {
  const keep = KEEP_OPTS.get(name);
  if (keep !== undefined) {
    out.value = tp[keep[0]] / keep[1];
    return 0;
  }
  switch (name) {
    case TCP_CONGESTION:
      out.value = tp.t_congctl.name;
      return 0;
    case TCP_NODELAY:
      out.value = tp.t_flags & TF_NODELAY ? 1 : 0;
      return 0;
    case TCP_MAXSEG:
      out.value = tp.t_segsz;
      return 0;
    case TCP_NOOPT:
      out.value = tp.t_flags & TF_NOOPT ? 1 : 0;
      return 0;
  }
  return ENOPROTOOPT;
}
