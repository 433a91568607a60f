import { describe, expect, it } from "vitest";
import {
  matchPacket,
  PacketdrillError,
  PacketHeader,
  parseScript,
  TH_ACK,
  TH_SYN,
} from "../src/index.js";

const GOOD = `
/*
 * a license header
 */
--ip_version=ipv4
--tolerance_usecs=75000
--mtu=9000
 0.00 \`sysctl -w net.inet.tcp.sack.enable=1\`
+0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+ 0.10 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0.00 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0
 1.00...6.00 connect(3, ..., ...) = -1 ETIMEDOUT (Operation timed out)
+0.00 > S  0:0(0) win 65535 <mss 8960,nop,wscale 6,sackOK,TS val 100 ecr 0>
*     > S  0:0(0) win 65535 <...>
+0.10 < S. 0:0(0) ack 1 win 32767 <mss 1460,sackOK,eol,eol> // a comment
+0.00 > R  34:34(0)
+0.00 < F  2:2(0) ack 2 win 32767
`;

describe("packetdrill scripts: the parser", () => {
  it("reads options, times, packets, system calls and shell commands as the suite writes them", () => {
    const s = parseScript(GOOD);
    expect(s.toleranceNs).toBe(75_000_000);
    expect(s.mtu).toBe(9_000);
    expect(s.events.map((e) => [e.line, e.time.kind, e.action.type])).toEqual([
      [8, "abs", "shell"],
      [9, "rel", "syscall"],
      [10, "rel", "syscall"],
      [11, "rel", "syscall"],
      [12, "range", "syscall"],
      [13, "rel", "packet"],
      [14, "any", "packet"],
      [15, "rel", "packet"],
      [16, "rel", "packet"],
      [17, "rel", "packet"],
    ]);
    expect(s.events[2]!.time).toEqual({ kind: "rel", ns: 100_000_000 });
    expect(s.events[4]!.time).toEqual({ kind: "range", ns: 1e9, endNs: 6e9, relative: false });
    expect(s.events[2]!.action).toMatchObject({
      name: "fcntl",
      args: [
        { t: "num", v: 3 },
        { t: "name", v: "F_SETFL" },
        {
          t: "or",
          parts: [
            { t: "name", v: "O_RDWR" },
            { t: "name", v: "O_NONBLOCK" },
          ],
        },
      ],
      result: 0,
    });
    expect(s.events[3]!.action).toMatchObject({
      args: [{}, {}, {}, { t: "ptr", v: { t: "name", v: "ECONNRESET" } }, {}],
    });
    expect(s.events[4]!.action).toMatchObject({ name: "connect", result: -1, errno: "ETIMEDOUT" });
    expect(s.events[5]!.action).toMatchObject({
      dir: ">",
      flags: TH_SYN,
      ack: null,
      win: 65_535,
      options: [
        { kind: "mss", value: 8_960 },
        { kind: "nop" },
        { kind: "wscale", value: 6 },
        { kind: "sackOK" },
        { kind: "TS", value: 100, ecr: 0 },
      ],
    });
    expect(s.events[6]!.action).toMatchObject({ options: "any" });
    expect(s.events[7]!.action).toMatchObject({ dir: "<", flags: TH_SYN | TH_ACK, ack: 1 });
    expect(s.events[8]!.action).toMatchObject({ start: 34, end: 34, len: 0, options: null });
    // an ack value without the ACK flag is kept: the header carries it
    expect(s.events[9]!.action).toMatchObject({ flags: 0x01, ack: 2 });
  });

  it("keeps constructs the model lacks as unsupported, at their line", () => {
    const s = parseScript("0.0 < SEW 0:0(0) win 1\n0.1 < S 0:0(0) win 1 <md5 abc>\n");
    expect(s.events.map((e) => [e.line, e.action])).toEqual([
      [1, { type: "unsupported", what: 'TCP flag "E" in "SEW"' }],
      [2, { type: "unsupported", what: 'TCP option "md5 abc"' }],
    ]);
  });

  for (const [text, message] of [
    ["--tolerance_usecs=lots", 'line 1: option "--tolerance_usecs=lots" is not known'],
    ["--ip_version=ipv6", "line 1: --ip_version=ipv6: only ipv4 is modelled"],
    ["socket(..., SOCK_STREAM) = 3", 'line 1: expected a time (0.10, +0.10 or *) before "socket'],
    ["0.0 < S 0:10(0) win 1", "line 1: sequence range 0:10 does not hold 0 bytes"],
    ["0.0 < S 0:0 win 1", 'line 1: bad packet "S 0:0 win 1"'],
    ["0.0 close(3) = ", 'line 1: bad system call "close(3) ="'],
    ["\n* close(3) = 0", "line 2: `*` times only a > packet"],
    ["0.0 `sysctl -w x=1", "line 1: unterminated `shell command`"],
    ["/* open", "line 1: unterminated /* comment"],
    ["0.0 < S 0:0(0) <TS 1 2>", 'line 1: bad timestamp option "TS 1 2"'],
    ["0.0 < . 1:1(0) <sack 5-6>", 'line 1: bad SACK block "5-6"; write sack L:R L:R'],
    ["0.0 < . 1:1(0) <sack>", 'line 1: "sack" needs 1 to 4 blocks L:R'],
  ] as const) {
    it(`refuses ${JSON.stringify(text)} with the line and the fix`, () => {
      expect(() => parseScript(text)).toThrow(PacketdrillError);
      expect(() => parseScript(text)).toThrow(message);
    });
  }
});

describe("packetdrill scripts: the matcher", () => {
  const syn = () => {
    const h = new PacketHeader();
    h.th_flags = TH_SYN;
    h.th_seq = 1_000;
    h.th_win = 65_535;
    h.th_mss = 1_460;
    h.th_wscale = 6;
    h.th_sackperm = true;
    h.th_ts = true;
    return h;
  };
  const line = (text: string) => {
    const a = parseScript(`0 ${text}`).events[0]!.action;
    if (a.type !== "packet") throw new Error("not a packet");
    return a;
  };

  it("compares flags, range, window and the option list with its padding, relative to the ISN", () => {
    const want = line("> S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 1 ecr 0>");
    expect(matchPacket(want, syn(), 1_000, "freebsd")).toBeNull();
    expect(matchPacket(line("> S 0:0(0) win 65535 <...>"), syn(), 1_000, "freebsd")).toBeNull();
    expect(matchPacket(want, syn(), 999, "freebsd")).toContain("(sequence differs)");
    expect(matchPacket(line("> S 0:0(0) win 32768 <...>"), syn(), 1_000, "freebsd")).toContain(
      "(window differs)",
    );
    expect(matchPacket(line("> S. 0:0(0) <...>"), syn(), 1_000, "freebsd")).toContain(
      "(flags differ)",
    );
    // SACK-permitted off: the timestamp is padded with two NOPs instead
    const noSack = syn();
    noSack.th_sackperm = false;
    expect(matchPacket(want, noSack, 1_000, "freebsd")).toBe(
      "S 0:0(0) win 65535 <mss 1460,nop,wscale 6,nop,nop,TS val 0 ecr 0> (options differ)",
    );
    // a line without an option list wants none
    expect(matchPacket(line("> S 0:0(0)"), syn(), 1_000, "freebsd")).toContain("(options differ)");
    const wrongMss = syn();
    wrongMss.th_mss = 536;
    expect(matchPacket(want, wrongMss, 1_000, "freebsd")).toContain("(options differ)");
  });

  it("lays the options out as the preset's kernel does: NetBSD's SYN in 32-bit words, SACK blocks in both", () => {
    expect(matchPacket(line("> S 0:0(0) <nop>"), syn(), 1_000, "netbsd")).toBe(
      "S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,nop,nop,nop,nop,TS val 0 ecr 0> (options differ)",
    );
    const ack = new PacketHeader();
    ack.th_flags = TH_ACK;
    ack.th_seq = 1_001;
    ack.th_ts = true;
    ack.th_sack = [5_000, 6_000];
    for (const layout of ["netbsd", "freebsd"] as const) {
      expect(matchPacket(line("> . 1:1(0) <nop>"), ack, 1_000, layout)).toBe(
        ". 1:1(0) ack 0 win 0 <nop,nop,TS val 0 ecr 0,nop,nop,sack 5000:6000> (options differ)",
      );
    }
    // the blocks are compared too, as the line writes them (the peer's sequence space)
    const sackLine = "> . 1:1(0) <nop,nop,TS val 1 ecr 0,nop,nop,sack 5000:6000>";
    expect(matchPacket(line(sackLine), ack, 1_000, "freebsd")).toBeNull();
    expect(matchPacket(line(sackLine.replace("6000", "6001")), ack, 1_000, "freebsd")).toContain(
      "(options differ)",
    );
  });

  it("reads a < line's SACK blocks, left and right edges in turn", () => {
    expect(line("< . 1:1(0) ack 1 <nop,nop,sack 1461:2921 4381:5841>").options).toEqual([
      { kind: "nop" },
      { kind: "nop" },
      { kind: "sack", blocks: [1_461, 2_921, 4_381, 5_841] },
    ]);
  });
});
