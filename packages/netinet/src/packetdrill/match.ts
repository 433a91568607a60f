/*
 * The check of one packet the host sent against a > line, field by field
 * as packetdrill does it: flags, sequence range (relative to the host's
 * ISN), ack and window when the line gives them, and the option list's
 * kinds in order with the MSS and window-scale values and SACK blocks (timestamps' values
 * are not compared: the scripts do not set --tcp_ts_tick_usecs).
 */

import type { PacketHeader } from "../packet.js";
import { tcp_optkinds } from "../tcp_options.js";
import type { SysctlPreset } from "../tcp_sysctl.js";
import type { PacketAction } from "./parse.js";

/** Option kinds as the scripts name them. */
const KIND_NAMES: Readonly<Record<number, string>> = {
  0: "eol",
  1: "nop",
  2: "mss",
  3: "wscale",
  4: "sackOK",
  5: "sack",
  8: "TS",
};

const FLAG_LETTERS: readonly [number, string][] = [
  [0x01, "F"],
  [0x02, "S"],
  [0x04, "R"],
  [0x08, "P"],
  [0x10, "."],
];

function flagText(f: number): string {
  return FLAG_LETTERS.filter(([b]) => f & b)
    .map(([, c]) => c)
    .join("");
}

/** The options of a sent packet, laid out as `layout`'s kernel does, as a > line writes them. */
function optionText(h: PacketHeader, layout: SysctlPreset): string {
  const kinds = tcp_optkinds(h, layout).map((k) => KIND_NAMES[k]!);
  return kinds
    .map((k) =>
      k === "mss"
        ? `mss ${h.th_mss}`
        : k === "wscale"
          ? `wscale ${h.th_wscale}`
          : k === "TS"
            ? `TS val ${h.th_tsval} ecr ${h.th_tsecr}`
            : k === "sack"
              ? `sack ${sackText(h.th_sack!)}`
              : k,
    )
    .join(",");
}

/** SACK blocks as packetdrill writes them: left:right pairs, absolute. */
function sackText(blocks: readonly number[]): string {
  const pairs: string[] = [];
  for (let i = 0; i < blocks.length; i += 2)
    pairs.push(`${blocks[i]! >>> 0}:${blocks[i + 1]! >>> 0}`);
  return pairs.join(" ");
}

/** How the packet `h` reads as a > line, sequence relative to `iss`, options in `layout`. */
export function packetText(h: PacketHeader, iss: number, layout: SysctlPreset): string {
  const start = (h.th_seq - iss) >>> 0;
  const end = (start + h.data_len) >>> 0;
  const ack = h.th_flags & 0x10 ? ` ack ${h.th_ack >>> 0}` : "";
  const opts = optionText(h, layout);
  return `${flagText(h.th_flags)} ${start}:${end}(${h.data_len})${ack} win ${h.th_win}${opts === "" ? "" : ` <${opts}>`}`;
}

/** null when `h` matches the line `p`, else how the sent packet reads (and what differs). */
export function matchPacket(
  p: PacketAction,
  h: PacketHeader,
  iss: number,
  layout: SysctlPreset,
): string | null {
  const text = () => packetText(h, iss, layout);
  if (h.th_flags !== p.flags) return `${text()} (flags differ)`;
  if ((h.th_seq - iss) >>> 0 !== p.start || h.data_len !== p.len)
    return `${text()} (sequence differs)`;
  if (p.ack !== null && h.th_ack >>> 0 !== p.ack >>> 0) return `${text()} (ack differs)`;
  if (p.win !== null && h.th_win !== p.win) return `${text()} (window differs)`;
  if (p.options === "any") return null;
  const kinds = tcp_optkinds(h, layout).map((k) => KIND_NAMES[k]!);
  const want = p.options ?? [];
  const same =
    kinds.length === want.length &&
    want.every(
      (o, i) =>
        o.kind === kinds[i] &&
        (o.kind !== "mss" || o.value === h.th_mss) &&
        (o.kind !== "wscale" || o.value === h.th_wscale) &&
        (o.kind !== "sack" || sackText(o.blocks!) === sackText(h.th_sack!)),
    );
  return same ? null : `${text()} (options differ)`;
}
