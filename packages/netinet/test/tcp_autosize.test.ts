/*
 * The autosizing rules one decision at a time, on a connection's state
 * laid out by hand: the send rule both kernels share, NetBSD's and
 * FreeBSD's receive rules, the stamp that begins a receive round, and the
 * ends of growth (the sysctl's maximum, sbreserve's refusal).
 */
import { describe, expect, it } from "vitest";
import type { mbuf } from "../src/mbuf.js";
import { SB_AUTOSIZE, SS_CANTRCVMORE, type socket } from "../src/socketvar.js";
import { tcp_autosize_input, tcp_rfbuf_stamp, tcp_sndbuf_autoscale } from "../src/tcp_autosize.js";
import { TCPS_ESTABLISHED, TCPS_SYN_RECEIVED, TH_ACK, TH_PUSH } from "../src/tcp_fsm.js";
import type { tcpseg } from "../src/tcp_input_seg.js";
import { type SysctlPreset, tcp_sysctl_init } from "../src/tcp_sysctl.js";
import { TF_NOOPT, type tcpcb } from "../src/tcp_var.js";

interface Conn {
  tp: tcpcb;
  so: socket;
  stack: { sim: { now: number } };
}

/** An established connection: 32 KB and `rcv` bytes of buffer, both autosizing, at `nowMs` on the clock. */
function conn(
  preset: SysctlPreset,
  o: { sysctl?: Record<string, number>; rcv?: number; snd?: number; nowMs?: number } = {},
): Conn {
  const stack = {
    preset,
    sysctl: tcp_sysctl_init(preset, o.sysctl, "test"),
    sim: { now: (o.nowMs ?? 0) * 1e6 },
  };
  const so = { stack, so_state: 0 } as unknown as socket;
  const buf = (hiwat: number) => ({ so, sb_cc: 0, sb_hiwat: hiwat, sb_flags: SB_AUTOSIZE });
  Object.assign(so, { so_snd: buf(o.snd ?? 32_768), so_rcv: buf(o.rcv ?? 33_304) });
  const tp = {
    t_socket: so,
    t_state: TCPS_ESTABLISHED,
    t_flags: 0,
    snd_una: 1_000,
    snd_nxt: 1_000,
    snd_max: 1_000,
    snd_wnd: 65_535,
    snd_cwnd: 14_480,
    t_partialacks: -1,
    rcv_nxt: 5_000,
    ts_recent: 50,
    t_srtt: 0,
    rfbuf_ts: 0,
    rfbuf_cnt: 0,
    segq: [],
  } as unknown as tcpcb;
  return { tp, so, stack: stack as Conn["stack"] };
}

/** An in-order data segment of `tlen` bytes, its TSecr `ecr` (0: no timestamps). */
function data(c: Conn, tlen: number, ecr: number): tcpseg {
  const m = { th_ts: ecr !== 0, th_tsval: 60, th_tsecr: ecr } as unknown as mbuf;
  return {
    m,
    seq: c.tp.rcv_nxt,
    ack: c.tp.snd_una,
    tiwin: c.tp.snd_wnd,
    tiflags: TH_ACK | TH_PUSH,
    tlen,
    needoutput: false,
    predicted: false,
    faddr: 0,
    fport: 0,
    laddr: 0,
    lport: 0,
  };
}

describe("send-buffer autosizing (both kernels' tcp_output)", () => {
  /** A full 32 KB so_snd, half of it sent: a step is due. */
  function full(preset: SysctlPreset, sysctl?: Record<string, number>) {
    const c = conn(preset, sysctl === undefined ? {} : { sysctl });
    c.so.so_snd.sb_cc = 32_768;
    c.tp.snd_nxt = c.tp.snd_max = c.tp.snd_una + 16_384;
    return c;
  }

  for (const preset of ["netbsd", "freebsd"] as const) {
    it(`${preset}: a 7/8-full buffer grows by sendbuf_inc when the windows allow`, () => {
      const c = full(preset);
      tcp_sndbuf_autoscale(c.tp, 16_384);
      expect(c.so.so_snd.sb_hiwat).toBe(32_768 + 8_192);
      // 7/8 of 40,960 is 35,840: a fuller buffer steps again
      c.so.so_snd.sb_cc = 35_839;
      tcp_sndbuf_autoscale(c.tp, 65_535);
      expect(c.so.so_snd.sb_hiwat).toBe(40_960);
      c.so.so_snd.sb_cc = 35_840;
      tcp_sndbuf_autoscale(c.tp, 65_535);
      expect(c.so.so_snd.sb_hiwat).toBe(49_152);
    });
  }

  it("does not grow when the peer's window is under 4/5 of the buffer", () => {
    const c = full("netbsd");
    // (26,212 / 4) * 5 = 32,765 < 32,768; 26,216 gives 32,770
    c.tp.snd_wnd = 26_212;
    tcp_sndbuf_autoscale(c.tp, 16_384);
    expect(c.so.so_snd.sb_hiwat).toBe(32_768);
    c.tp.snd_wnd = 26_216;
    tcp_sndbuf_autoscale(c.tp, 16_384);
    expect(c.so.so_snd.sb_hiwat).toBe(40_960);
  });

  it("does not grow while the send window cannot cover what is not yet sent", () => {
    const c = full("freebsd");
    tcp_sndbuf_autoscale(c.tp, 16_383);
    expect(c.so.so_snd.sb_hiwat).toBe(32_768);
    // a FIN sent past the data makes C's unsigned difference wrap: no step
    c.so.so_snd.sb_cc = 32_768;
    c.tp.snd_nxt = c.tp.snd_una + 32_769;
    tcp_sndbuf_autoscale(c.tp, 65_535);
    expect(c.so.so_snd.sb_hiwat).toBe(32_768);
  });

  it("does nothing with sendbuf_auto 0 or after SB_AUTOSIZE is cleared", () => {
    const off = full("netbsd", { "net.inet.tcp.sendbuf_auto": 0 });
    tcp_sndbuf_autoscale(off.tp, 16_384);
    expect(off.so.so_snd.sb_hiwat).toBe(32_768);
    const user = full("netbsd");
    user.so.so_snd.sb_flags = 0;
    tcp_sndbuf_autoscale(user.tp, 16_384);
    expect(user.so.so_snd.sb_hiwat).toBe(32_768);
  });

  it("stops at sendbuf_max", () => {
    const c = conn("netbsd", { sysctl: { "kern.ipc.maxsockbuf": 1 << 20 }, snd: 258_048 });
    c.so.so_snd.sb_cc = 258_048;
    c.tp.snd_wnd = 1 << 20;
    tcp_sndbuf_autoscale(c.tp, 1 << 20);
    expect(c.so.so_snd.sb_hiwat).toBe(262_144);
    c.so.so_snd.sb_cc = 262_144;
    tcp_sndbuf_autoscale(c.tp, 1 << 20);
    expect(c.so.so_snd.sb_hiwat).toBe(262_144);
    expect(c.so.so_snd.sb_flags & SB_AUTOSIZE).toBe(SB_AUTOSIZE);
  });

  it("netbsd: a step past sb_max's share (209,715 of 256 KiB with LP64's 512-byte mbufs) is refused and autosizing ends", () => {
    const c = conn("netbsd", { snd: 204_800 });
    c.so.so_snd.sb_cc = 204_800;
    c.tp.snd_wnd = 1 << 20;
    tcp_sndbuf_autoscale(c.tp, 1 << 20);
    expect(c.so.so_snd.sb_hiwat).toBe(204_800);
    expect(c.so.so_snd.sb_flags & SB_AUTOSIZE).toBe(0);
  });
});

describe("NetBSD's receive rule (tcp_input.c): one round from rfbuf_ts to the echo of a later slow tick", () => {
  // rfbuf_ts 600 is ms 599 of the run: slow tick 1 (500-999 ms)
  function round(cnt: number, o: { sysctl?: Record<string, number>; rcv?: number } = {}) {
    const c = conn("netbsd", o);
    c.tp.rfbuf_ts = 600;
    c.tp.rfbuf_cnt = cnt;
    return c;
  }

  it("counts the bytes while the echoes are of the round's own tick", () => {
    const c = round(0);
    tcp_autosize_input(c.tp, data(c, 1_448, 999));
    tcp_autosize_input(c.tp, data(c, 1_448, 1_000));
    expect(c.tp.rfbuf_cnt).toBe(2_896);
    expect(c.so.so_rcv.sb_hiwat).toBe(33_304);
  });

  it("steps by recvbuf_inc when the next tick's echo finds more than 7/8 of sb_hiwat received", () => {
    // 7/8 of 33,304 is (33,304 / 8) * 7 = 29,141
    const c = round(29_142);
    tcp_autosize_input(c.tp, data(c, 1_448, 1_001));
    expect(c.so.so_rcv.sb_hiwat).toBe(33_304 + 16_384);
    expect([c.tp.rfbuf_ts, c.tp.rfbuf_cnt]).toEqual([0, 0]);
  });

  it("ends the round without a step when 7/8 was not passed", () => {
    const c = round(29_141);
    tcp_autosize_input(c.tp, data(c, 1_448, 1_001));
    expect(c.so.so_rcv.sb_hiwat).toBe(33_304);
    expect([c.tp.rfbuf_ts, c.tp.rfbuf_cnt]).toEqual([0, 0]);
  });

  it("takes no step from an echo two ticks later, nor from a round never stamped", () => {
    const late = round(100_000);
    tcp_autosize_input(late.tp, data(late, 1_448, 1_501));
    expect(late.so.so_rcv.sb_hiwat).toBe(33_304);
    expect(late.tp.rfbuf_cnt).toBe(101_448);
    const unstamped = round(100_000);
    unstamped.tp.rfbuf_ts = 0;
    tcp_autosize_input(unstamped.tp, data(unstamped, 1_448, 1_001));
    expect(unstamped.so.so_rcv.sb_hiwat).toBe(33_304);
  });

  it("needs the timestamp echo and recvbuf_auto", () => {
    const bare = round(100_000);
    tcp_autosize_input(bare.tp, data(bare, 1_448, 0));
    expect([bare.so.so_rcv.sb_hiwat, bare.tp.rfbuf_cnt]).toEqual([33_304, 100_000]);
    const off = round(100_000, { sysctl: { "net.inet.tcp.recvbuf_auto": 0 } });
    tcp_autosize_input(off.tp, data(off, 1_448, 1_001));
    expect(off.so.so_rcv.sb_hiwat).toBe(33_304);
  });

  it("a segment off the fast path (out of order, the window changed) ends the round", () => {
    const c = round(100_000);
    const s = data(c, 1_448, 1_001);
    s.seq += 1_448;
    tcp_autosize_input(c.tp, s);
    expect([c.so.so_rcv.sb_hiwat, c.tp.rfbuf_ts, c.tp.rfbuf_cnt]).toEqual([33_304, 0, 0]);
    const w = round(100_000);
    const t = data(w, 1_448, 1_001);
    t.tiwin -= 1;
    tcp_autosize_input(w.tp, t);
    expect([w.tp.rfbuf_ts, w.tp.rfbuf_cnt]).toEqual([0, 0]);
  });

  it("stops at recvbuf_max", () => {
    const c = round(1 << 20, { sysctl: { "kern.ipc.maxsockbuf": 1 << 20 }, rcv: 250_000 });
    tcp_autosize_input(c.tp, data(c, 1_448, 1_001));
    expect(c.so.so_rcv.sb_hiwat).toBe(262_144);
    c.tp.rfbuf_ts = 600;
    c.tp.rfbuf_cnt = 1 << 20;
    tcp_autosize_input(c.tp, data(c, 1_448, 1_001));
    expect(c.so.so_rcv.sb_hiwat).toBe(262_144);
  });

  it("a step sbreserve refuses (past 209,715) ends autosizing; a closed receive side takes none", () => {
    const c = round(1 << 20, { rcv: 197_144 });
    tcp_autosize_input(c.tp, data(c, 1_448, 1_001));
    expect(c.so.so_rcv.sb_hiwat).toBe(197_144);
    expect(c.so.so_rcv.sb_flags & SB_AUTOSIZE).toBe(0);
    const shut = round(1 << 20);
    shut.so.so_state |= SS_CANTRCVMORE;
    tcp_autosize_input(shut.tp, data(shut, 1_448, 1_001));
    expect(shut.so.so_rcv.sb_hiwat).toBe(33_304);
  });
});

describe("FreeBSD's receive rule (tcp_input.c tcp_autorcvbuf): half an sRTT per round", () => {
  /** srtt 20 ms, the round stamped at ms 100, now at `nowMs`. */
  function round(cnt: number, nowMs: number, o: { rcv?: number } = {}) {
    const c = conn("freebsd", { nowMs, ...o });
    c.tp.t_srtt = 20e6;
    c.tp.rfbuf_ts = 100;
    c.tp.rfbuf_cnt = cnt;
    return c;
  }

  it("grows by half when more than 3/8 of sb_hiwat came in over more than srtt / 2", () => {
    // tcp_now is ms + 1: ms 109 is 10 ms after the stamp (not more than 10), ms 110 is 11
    const early = round(50_000, 109, { rcv: 66_608 });
    tcp_autosize_input(early.tp, data(early, 1_448, 0));
    expect([early.so.so_rcv.sb_hiwat, early.tp.rfbuf_cnt]).toEqual([66_608, 51_448]);
    // 3/8 of 66,608 is ((66,608 / 2) / 4) * 3 = 24,978
    const c = round(24_979, 110, { rcv: 66_608 });
    tcp_autosize_input(c.tp, data(c, 1_448, 0));
    expect(c.so.so_rcv.sb_hiwat).toBe(66_608 + 33_304);
    expect([c.tp.rfbuf_ts, c.tp.rfbuf_cnt]).toEqual([0, 0]);
    const low = round(24_978, 110, { rcv: 66_608 });
    tcp_autosize_input(low.tp, data(low, 1_448, 0));
    expect([low.so.so_rcv.sb_hiwat, low.tp.rfbuf_ts]).toEqual([66_608, 0]);
  });

  it("needs an RTT estimate; a segment off the fast path leaves the round alone", () => {
    const c = round(50_000, 500);
    c.tp.t_srtt = 0;
    tcp_autosize_input(c.tp, data(c, 1_448, 0));
    expect([c.so.so_rcv.sb_hiwat, c.tp.rfbuf_cnt]).toEqual([33_304, 51_448]);
    const o = round(50_000, 500);
    const s = data(o, 1_448, 0);
    s.seq += 1;
    tcp_autosize_input(o.tp, s);
    expect([o.tp.rfbuf_ts, o.tp.rfbuf_cnt]).toEqual([100, 50_000]);
  });

  it("stops where sbreserve refuses: 2 MiB is past maxsockbuf's share (1,864,135), so 1,707,088 is the last size", () => {
    const c = round(1 << 22, 500, { rcv: 1_707_088 });
    tcp_autosize_input(c.tp, data(c, 1_448, 0));
    expect(c.so.so_rcv.sb_hiwat).toBe(1_707_088);
    expect(c.so.so_rcv.sb_flags & SB_AUTOSIZE).toBe(0);
  });

  it("recvbuf_inc cannot be changed under freebsd, which has none", () => {
    expect(() =>
      tcp_sysctl_init("freebsd", { "net.inet.tcp.recvbuf_inc": 65_536 }, "sysctl"),
    ).toThrow(
      "sysctl.net.inet.tcp.recvbuf_inc: net.inet.tcp.recvbuf_inc is 16384 under the freebsd preset",
    );
  });
});

describe("the stamp that begins a receive round (tcp_output)", () => {
  it("netbsd: the TSval of the first segment with timestamps, once; none in SYN_RECEIVED or without SB_AUTOSIZE", () => {
    const c = conn("netbsd", { nowMs: 40 });
    tcp_rfbuf_stamp(c.tp, 0);
    expect(c.tp.rfbuf_ts).toBe(0);
    tcp_rfbuf_stamp(c.tp, 41);
    tcp_rfbuf_stamp(c.tp, 45);
    expect(c.tp.rfbuf_ts).toBe(41);
    const syn = conn("netbsd");
    syn.tp.t_state = TCPS_SYN_RECEIVED;
    tcp_rfbuf_stamp(syn.tp, 41);
    expect(syn.tp.rfbuf_ts).toBe(0);
    const user = conn("netbsd");
    user.so.so_rcv.sb_flags = 0;
    tcp_rfbuf_stamp(user.tp, 41);
    expect(user.tp.rfbuf_ts).toBe(0);
  });

  it("freebsd: the clock at any segment, timestamps or not, unless TCP_NOOPT", () => {
    const c = conn("freebsd", { nowMs: 40 });
    tcp_rfbuf_stamp(c.tp, 0);
    expect(c.tp.rfbuf_ts).toBe(41);
    const noopt = conn("freebsd", { nowMs: 40 });
    noopt.tp.t_flags |= TF_NOOPT;
    tcp_rfbuf_stamp(noopt.tp, 0);
    expect(noopt.tp.rfbuf_ts).toBe(0);
  });
});
