import {
  EINVAL,
  ENOBUFS,
  ENOPROTOOPT,
  IPPROTO_TCP,
  type Link,
  SO_RCVBUF,
  SOL_SOCKET,
  TCP_NODELAY,
  TH_SYN,
} from "@smpnet/netinet";
import { NS_PER_MS } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { type TcpRunOptions, tcpRun } from "./tcpfixtures.js";

/** What a frame carried on the wire: flags, header length, window, options. */
interface Seen {
  t: number;
  syn: boolean;
  off: number;
  win: number;
  wscale: number;
  ts: boolean;
  len: number;
}

/** Records every frame each direction carries; `hook` may act on a frame as it is sent. */
function watch(
  link: Link,
  seen: Seen[],
  hook?: (link: Link, f: Parameters<Link["transmit"]>[0]) => void,
) {
  const transmit = link.transmit.bind(link);
  link.transmit = (f) => {
    seen.push({
      t: link.sim.now,
      syn: (f.th_flags & TH_SYN) !== 0,
      off: f.th_off,
      win: f.th_win,
      wscale: f.th_wscale,
      ts: f.th_ts,
      len: f.data_len,
    });
    hook?.(link, f);
    return transmit(f);
  };
}

function runWatched(o: TcpRunOptions) {
  const toDut: Seen[] = [];
  const toPeer: Seen[] = [];
  const r = tcpRun({
    ...o,
    before: (k, run) => {
      watch(k.toDut, toDut);
      watch(k.toPeer, toPeer);
      o.before?.(k, run);
    },
  });
  return { r, toDut, toPeer };
}

describe("RFC 7323 options: the exchange", () => {
  it("with both sides on, SYN and SYN-ACK carry a window scale and timestamps, and every segment a timestamp", () => {
    const { r, toDut, toPeer } = runWatched({ writes: [20_000], limitMs: 100 });
    expect(r.bytesRead).toBe(20_000);
    const syn = toDut.find((s) => s.syn)!;
    const synack = toPeer.find((s) => s.syn)!;
    for (const s of [syn, synack]) {
      expect(s.wscale).toBe(3); // the shift covers sb_max (kern.ipc.maxsockbuf, 256 KiB)
      expect(s.ts).toBe(true);
      // MSS, window scale, SACK-permitted (NetBSD offers it: tcp_do_sack), timestamps
      expect(s.off).toBe(20 + 4 + 4 + 4 + 12);
    }
    // after the handshake: timestamps on every segment, 1448 bytes of data in a 1500-byte packet
    for (const s of [...toDut, ...toPeer].filter((s) => !s.syn)) {
      expect(s.ts).toBe(true);
      expect(s.off).toBe(32);
    }
    expect(Math.max(...toDut.map((s) => s.len))).toBe(1_448);
    expect(r.clientTp!.t_segsz).toBe(1_448);
    expect(r.k.peer.tcpstat.tcps_rttupdated).toBeGreaterThan(1);
  });

  for (const [name, o] of [
    ["the peer", { peerTcp: { timestamps: false, windowScale: false } }],
    ["the system under test", { tcp: { timestamps: false, windowScale: false }, peerTcp: {} }],
  ] as const) {
    it(`with ${name} off, neither option is used`, () => {
      const { r, toDut, toPeer } = runWatched({
        writes: [20_000],
        limitMs: 100,
        ...o,
        serverOpts: [[SOL_SOCKET, SO_RCVBUF, 200_000]],
      });
      expect(r.bytesRead).toBe(20_000);
      const synack = toPeer.find((s) => s.syn)!;
      expect(synack.wscale).toBe(-1);
      expect(synack.ts).toBe(false);
      expect(synack.off).toBe(20 + 4 + 4); // MSS and SACK-permitted
      for (const s of [...toDut, ...toPeer].filter((s) => !s.syn)) {
        expect(s.ts).toBe(false);
        expect(s.off).toBe(20);
      }
      expect(Math.max(...toDut.map((s) => s.len))).toBe(1_460);
      for (const tp of [r.clientTp!, r.serverTp!]) {
        expect(tp.snd_scale).toBe(0);
        expect(tp.rcv_scale).toBe(0);
      }
      // unscaled, the window the peer sees is capped at 65535
      expect(r.clientTp!.max_sndwnd).toBeLessThanOrEqual(65_535);
    });
  }

  it("a bad switch is refused with the field and the fix", () => {
    expect(() => tcpRun({ writes: [], tcp: { timestamps: 1 as unknown as boolean } })).toThrow(
      "tcp.timestamps: expected true or false; got 1",
    );
    expect(() =>
      tcpRun({ writes: [], tcp: { dsack: true } as unknown as TcpRunOptions["tcp"] }),
    ).toThrow("tcp.dsack: not a TCP option; use windowScale, timestamps, sack, congctl");
    expect(() => tcpRun({ writes: [], tcp: { congctl: "vegas" } })).toThrow(
      'tcp.congctl: no module "vegas"; use one of newreno, cubic',
    );
  });
});

describe("RFC 7323 window scaling", () => {
  it("both SYNs ask for sb_max's shift of 3; a 200,000-byte receive buffer lets the sender's window pass 65535", () => {
    const { r, toDut, toPeer } = runWatched({
      writes: Array<number>(16).fill(65_536),
      limitMs: 200,
      serverOpts: [[SOL_SOCKET, SO_RCVBUF, 200_000]],
    });
    expect(r.optErrors).toEqual([0]);
    expect(r.bytesRead).toBe(16 * 65_536);
    expect(toPeer.find((s) => s.syn)!.wscale).toBe(3);
    expect(toDut.find((s) => s.syn)!.wscale).toBe(3);
    const tp = r.clientTp!;
    expect(tp.snd_scale).toBe(3);
    expect(r.serverTp!.rcv_scale).toBe(3);
    expect(tp.max_sndwnd).toBeGreaterThan(65_535);
    // the buffer grew to whole segments (tcp_mss_from_peer): 139 of 1448 bytes
    expect(tp.max_sndwnd).toBeLessThanOrEqual(139 * 1_448);
    // on the wire every window fits in 16 bits
    expect(Math.max(...toPeer.map((s) => s.win))).toBeLessThanOrEqual(65_535);
  });
});

describe("PAWS (RFC 7323 5)", () => {
  it("a segment with an older timestamp than ts_recent is dropped", () => {
    let replayed = false;
    const r = tcpRun({
      writes: [5_000],
      closeAfterMs: 50,
      limitMs: 200,
      before: (k) => {
        const link = k.toDut;
        const transmit = link.transmit.bind(link);
        link.transmit = (f) => {
          if (!replayed && f.data_len > 0) {
            // a copy of the first data segment, its TSval one older, arrives again 20 ms later
            replayed = true;
            const old = link.frame();
            old.copyHeader(f);
            old.th_tsval = (f.th_tsval - 1) >>> 0;
            k.sim.at(k.sim.now + 20 * NS_PER_MS, () => transmit(old), null);
          }
          return transmit(f);
        };
      },
    });
    expect(replayed).toBe(true);
    expect(r.bytesRead).toBe(5_000);
    expect(r.k.dut.tcpstat.tcps_pawsdrop).toBe(1);
  });

  it("without timestamps the same copy is only a duplicate", () => {
    let replayed = false;
    const r = tcpRun({
      writes: [5_000],
      closeAfterMs: 50,
      limitMs: 200,
      tcp: { timestamps: false },
      before: (k) => {
        const link = k.toDut;
        const transmit = link.transmit.bind(link);
        link.transmit = (f) => {
          if (!replayed && f.data_len > 0) {
            replayed = true;
            const old = link.frame();
            old.copyHeader(f);
            k.sim.at(k.sim.now + 20 * NS_PER_MS, () => transmit(old), null);
          }
          return transmit(f);
        };
      },
    });
    expect(r.bytesRead).toBe(5_000);
    expect(r.k.dut.tcpstat.tcps_pawsdrop).toBe(0);
    expect(r.k.dut.tcpstat.tcps_rcvduppack).toBe(1);
  });
});

describe("setsockopt", () => {
  /** When the peer sent each data segment (ns). */
  function dataTimes(clientOpts: [number, number, number][]) {
    const { r, toDut } = runWatched({
      writes: Array<number>(5).fill(100),
      // the FIN comes late: it does not carry the held-back bytes
      closeAfterMs: 500,
      limitMs: 1_000,
      clientOpts,
    });
    expect(r.bytesRead).toBe(500);
    return { r, times: toDut.filter((s) => s.len > 0).map((s) => s.t) };
  }

  it("TCP_NODELAY: small writes go out at once instead of waiting for the ACK (Nagle)", () => {
    const nagle = dataTimes([]);
    // Nagle: the first goes, the other four wait for its delayed ACK (200 ms)
    expect(nagle.times.length).toBe(2);
    expect(nagle.times[1]! - nagle.times[0]!).toBeGreaterThan(150 * NS_PER_MS);
    const nodelay = dataTimes([[IPPROTO_TCP, TCP_NODELAY, 1]]);
    expect(nodelay.r.optErrors).toEqual([0]);
    expect(nodelay.times.length).toBe(5);
    expect(nodelay.times[4]! - nodelay.times[0]!).toBeLessThan(NS_PER_MS);
  });

  it("bad options answer EINVAL, ENOBUFS or ENOPROTOOPT", () => {
    const r = tcpRun({
      writes: [],
      limitMs: 20,
      clientOpts: [
        [SOL_SOCKET, SO_RCVBUF, 0],
        [SOL_SOCKET, SO_RCVBUF, 1 << 20],
        [SOL_SOCKET, 0x1080, 1],
        [IPPROTO_TCP, 0x7777, 1],
        [SOL_SOCKET, SO_RCVBUF, 100_000],
      ],
    });
    expect(r.optErrors).toEqual([EINVAL, ENOBUFS, ENOPROTOOPT, ENOPROTOOPT, 0]);
    // rounded up to whole segments once the MSS is known: 70 of 1448 bytes
    expect(r.client!.so_rcv.sb_hiwat).toBe(70 * 1_448);
  });
});
