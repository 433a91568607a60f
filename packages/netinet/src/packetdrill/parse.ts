/*
 * A parser for the packetdrill script language, the subset FreeBSD's
 * tcp-testsuite uses (see ../shared/tcp-testsuite/README.md): command-line
 * options, then timed events, each a packet to inject (<) or expect (>), a
 * system call, or a shell command. A syntax error is a PacketdrillError
 * naming the line; a construct the runner cannot model (an unknown system
 * call, an option kind, a TCP flag such as ECN's) is kept as `unsupported`
 * so that the script is reported unsupported at that line, never passed.
 */

export class PacketdrillError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** When an event happens, in ns of script time. */
export type EventTime =
  | { kind: "abs"; ns: number }
  | { kind: "rel"; ns: number }
  | { kind: "any" }
  /** A blocking call: it starts at `ns` and must return at `endNs`. */
  | { kind: "range"; ns: number; endNs: number; relative: boolean };

export interface TcpOption {
  kind: "mss" | "wscale" | "sackOK" | "TS" | "nop" | "eol" | "sack";
  value?: number;
  ecr?: number;
  /** SACK blocks, left and right edges in turn (RFC 2018), as the line writes them. */
  blocks?: number[];
}

export interface PacketAction {
  type: "packet";
  dir: "<" | ">";
  /** TCP flags (tcp_fsm.ts TH_*). */
  flags: number;
  start: number;
  end: number;
  len: number;
  /** The ack field, if given (with or without the ACK flag). */
  ack: number | null;
  win: number | null;
  /** null: no option list (a > line then requires none); "any": <...>. */
  options: TcpOption[] | "any" | null;
}

/** A system call's argument: `...`, a number, a symbolic name, an or of those, or [expr]. */
export type Expr =
  | { t: "elided" }
  | { t: "num"; v: number }
  | { t: "name"; v: string }
  | { t: "or"; parts: Expr[] }
  | { t: "ptr"; v: Expr };

export interface SyscallAction {
  type: "syscall";
  name: string;
  args: Expr[];
  result: number;
  errno: string | null;
}

export interface ShellAction {
  type: "shell";
  command: string;
}

export interface UnsupportedAction {
  type: "unsupported";
  what: string;
}

export type Action = PacketAction | SyscallAction | ShellAction | UnsupportedAction;

export interface ScriptEvent {
  line: number;
  time: EventTime;
  action: Action;
}

export interface Script {
  toleranceNs: number;
  mtu: number;
  events: ScriptEvent[];
}

/** packetdrill's default tolerance (--tolerance_usecs=4000). */
const DEFAULT_TOLERANCE_US = 4_000;

/** TCP header flags by letter (tcp.h): '.' is ACK. */
const FLAG_BITS: Readonly<Record<string, number>> = {
  F: 0x01,
  S: 0x02,
  R: 0x04,
  P: 0x08,
  ".": 0x10,
};

function seconds(s: string, line: number): number {
  if (!/^\d+(\.\d+)?$/.test(s))
    throw new PacketdrillError(line, `bad time "${s}"; write seconds such as 0.10`);
  return Math.round(Number(s) * 1e9);
}

function parseTime(tok: string, line: number): EventTime {
  if (tok === "*") return { kind: "any" };
  const range = /^(\+?)\s*([\d.]+)\.\.\.\+?([\d.]+)$/.exec(tok);
  if (range) {
    return {
      kind: "range",
      ns: seconds(range[2]!, line),
      endNs: seconds(range[3]!, line),
      relative: range[1] === "+",
    };
  }
  if (tok.startsWith("+")) return { kind: "rel", ns: seconds(tok.slice(1).trim(), line) };
  return { kind: "abs", ns: seconds(tok, line) };
}

function parseOptions(text: string, line: number): TcpOption[] | "any" | UnsupportedAction {
  if (text.trim() === "...") return "any";
  const out: TcpOption[] = [];
  for (const raw of text.split(",")) {
    const w = raw.trim().split(/\s+/);
    const num = (i: number) => {
      const v = Number(w[i]);
      if (!Number.isInteger(v) || v < 0)
        throw new PacketdrillError(line, `bad number in option "${raw.trim()}"`);
      return v;
    };
    switch (w[0]) {
      case "mss":
        out.push({ kind: "mss", value: num(1) });
        break;
      case "wscale":
        out.push({ kind: "wscale", value: num(1) });
        break;
      case "sackOK":
      case "nop":
      case "eol":
        out.push({ kind: w[0] });
        break;
      case "sack": {
        const blocks: number[] = [];
        for (const b of w.slice(1)) {
          const m = /^(\d+):(\d+)$/.exec(b);
          if (!m) throw new PacketdrillError(line, `bad SACK block "${b}"; write sack L:R L:R`);
          blocks.push(Number(m[1]), Number(m[2]));
        }
        if (blocks.length === 0 || blocks.length > 8)
          throw new PacketdrillError(line, `"${raw.trim()}" needs 1 to 4 blocks L:R`);
        out.push({ kind: "sack", blocks });
        break;
      }
      case "TS":
        if (w[1] !== "val" || w[3] !== "ecr") {
          throw new PacketdrillError(
            line,
            `bad timestamp option "${raw.trim()}"; write TS val V ecr E`,
          );
        }
        out.push({ kind: "TS", value: num(2), ecr: num(4) });
        break;
      default:
        return { type: "unsupported", what: `TCP option "${raw.trim()}"` };
    }
  }
  return out;
}

function parsePacket(dir: "<" | ">", rest: string, line: number): PacketAction | UnsupportedAction {
  const m =
    /^(\S+)\s+(\d+):(\d+)\((\d+)\)\s*(?:ack\s+(\d+))?\s*(?:win\s+(\d+))?\s*(?:<(.*)>)?\s*$/.exec(
      rest,
    );
  if (!m)
    throw new PacketdrillError(
      line,
      `bad packet "${rest}"; write FLAGS start:end(len) [ack A] [win W] [<options>]`,
    );
  let flags = 0;
  for (const c of m[1]!) {
    const bit = FLAG_BITS[c];
    if (bit === undefined) return { type: "unsupported", what: `TCP flag "${c}" in "${m[1]}"` };
    flags |= bit;
  }
  const start = Number(m[2]);
  const end = Number(m[3]);
  const len = Number(m[4]);
  if ((end - start) >>> 0 !== len) {
    throw new PacketdrillError(line, `sequence range ${start}:${end} does not hold ${len} bytes`);
  }
  let options: PacketAction["options"] = null;
  if (m[7] !== undefined) {
    const o = parseOptions(m[7], line);
    if (typeof o === "object" && !Array.isArray(o)) return o;
    options = o;
  }
  return {
    type: "packet",
    dir,
    flags,
    start,
    end,
    len,
    ack: m[5] === undefined ? null : Number(m[5]),
    win: m[6] === undefined ? null : Number(m[6]),
    options,
  };
}

/** Splits at top-level commas (not inside brackets). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of s) {
    if (c === "[") depth++;
    if (c === "]") depth--;
    if (c === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

function parseExpr(s: string, line: number): Expr {
  s = s.trim();
  if (s === "...") return { t: "elided" };
  if (s.startsWith("[") && s.endsWith("]")) return { t: "ptr", v: parseExpr(s.slice(1, -1), line) };
  if (s.includes("|")) return { t: "or", parts: s.split("|").map((p) => parseExpr(p, line)) };
  if (/^-?\d+$/.test(s) || /^0x[0-9a-fA-F]+$/.test(s)) return { t: "num", v: Number(s) };
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) return { t: "name", v: s };
  throw new PacketdrillError(line, `bad argument "${s}"`);
}

function parseSyscall(text: string, line: number): SyscallAction {
  const m =
    /^([a-z_]+)\((.*)\)\s*=\s*(-?(?:0x[0-9a-fA-F]+|\d+))\s*([A-Z][A-Z0-9_]*)?\s*(\(.*\))?\s*$/.exec(
      text,
    );
  if (!m)
    throw new PacketdrillError(
      line,
      `bad system call "${text}"; write name(args) = result [ERRNO] [(comment)]`,
    );
  return {
    type: "syscall",
    name: m[1]!,
    args: splitArgs(m[2]!).map((a) => parseExpr(a, line)),
    result: Number(m[3]),
    errno: m[4] ?? null,
  };
}

/** The time token at the start of an event line, and the rest. */
function splitTime(s: string, line: number): [string, string] {
  const m = /^(\*|\+?\s*[\d.]+(?:\.\.\.\+?[\d.]+)?)\s+(.*)$/.exec(s);
  if (!m) throw new PacketdrillError(line, `expected a time (0.10, +0.10 or *) before "${s}"`);
  return [m[1]!.replace(/\s+/g, ""), m[2]!];
}

/** Parses a script's text. */
export function parseScript(text: string): Script {
  const script: Script = { toleranceNs: DEFAULT_TOLERANCE_US * 1_000, mtu: 1_500, events: [] };
  let inComment = false;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let s = lines[i]!;
    if (inComment) {
      const end = s.indexOf("*/");
      if (end < 0) continue;
      inComment = false;
      s = s.slice(end + 2);
    }
    const open = s.indexOf("/*");
    if (open >= 0 && !s.slice(0, open).includes("`")) {
      const close = s.indexOf("*/", open + 2);
      if (close < 0) {
        inComment = true;
        s = s.slice(0, open);
      } else s = s.slice(0, open) + s.slice(close + 2);
    }
    const slashes = s.indexOf("//");
    if (slashes >= 0) s = s.slice(0, slashes);
    s = s.trim();
    if (s === "") continue;
    if (s.startsWith("--")) {
      const m = /^--([a-z_]+)=(\S+)$/.exec(s);
      if (!m) throw new PacketdrillError(line, `bad option "${s}"; write --name=value`);
      const v = Number(m[2]);
      if (m[1] === "ip_version") {
        if (m[2] !== "ipv4")
          throw new PacketdrillError(line, `--ip_version=${m[2]}: only ipv4 is modelled`);
      } else if (m[1] === "tolerance_usecs" && Number.isInteger(v) && v >= 0) {
        script.toleranceNs = v * 1_000;
      } else if (m[1] === "mtu" && Number.isInteger(v) && v > 0) {
        script.mtu = v;
      } else {
        throw new PacketdrillError(
          line,
          `option "${s}" is not known (use --ip_version, --tolerance_usecs, --mtu)`,
        );
      }
      continue;
    }
    const [timeTok, rest] = splitTime(s, line);
    const time = parseTime(timeTok, line);
    let action: Action;
    if (rest.startsWith("<") || rest.startsWith(">")) {
      action = parsePacket(rest[0] as "<" | ">", rest.slice(1).trim(), line);
    } else if (rest.startsWith("`")) {
      if (!rest.endsWith("`")) throw new PacketdrillError(line, "unterminated `shell command`");
      action = { type: "shell", command: rest.slice(1, -1).trim() };
    } else {
      action = parseSyscall(rest, line);
    }
    if (time.kind === "any" && !(action.type === "packet" && action.dir === ">")) {
      throw new PacketdrillError(line, "`*` times only a > packet");
    }
    script.events.push({ line, time, action });
  }
  if (inComment) throw new PacketdrillError(lines.length, "unterminated /* comment");
  return script;
}
