/*
 * Number formats of the tools' output, after iperf3's src/units.c
 * (unit_snprintf, unit_atof, unit_atof_rate, unit_atoi) and the printf
 * conversions their format strings use (%6.2f, %-6.2f, %.2g, %3d).
 */

/** printf("%W.Pf") and, with `left`, "%-W.Pf". */
export function fixed(x: number, width: number, prec: number, left = false): string {
  const s = x.toFixed(prec);
  return left ? s.padEnd(width) : s.padStart(width);
}

/** printf("%Wd") / "%-Wd". */
export function int(x: number, width: number, left = false): string {
  const s = String(Math.trunc(x));
  return left ? s.padEnd(width) : s.padStart(width);
}

/** printf("%.Pg"): P significant digits, trailing zeros dropped, exponent form outside 1e-4..1e(P). */
export function general(x: number, prec: number): string {
  if (x === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(prec)))));
  if (exp < -4 || exp >= prec) {
    const [m, e] = x.toExponential(prec - 1).split("e");
    const mant = m!.includes(".") ? m!.replace(/\.?0+$/, "") : m!;
    const n = Number(e);
    return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const s = x.toFixed(Math.max(0, prec - 1 - exp));
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

const BYTE_LABELS = ["Byte", "KByte", "MByte", "GByte", "TByte"];
const BIT_LABELS = ["bit", "Kbit", "Mbit", "Gbit", "Tbit"];

/**
 * unit_snprintf with an adaptive format: 'A' bytes in powers of 1024,
 * 'a' bits (bytes times 8) in powers of 1000; four places and the label.
 */
export function unitFormat(bytes: number, format: "A" | "a"): string {
  let n = format === "a" ? bytes * 8 : bytes;
  const base = format === "a" ? 1000 : 1024;
  let conv = 0;
  while (n >= base && conv < 4) {
    n /= base;
    conv++;
  }
  const label = (format === "a" ? BIT_LABELS : BYTE_LABELS)[conv]!;
  // four places: 9.995 would print as 10.00, 99.95 as 100.0
  const digits = n < 9.995 ? n.toFixed(2) : n < 99.95 ? n.toFixed(1) : n.toFixed(0);
  return `${digits.padStart(4)} ${label}`;
}

/** The leading number of `s` as C's atof reads it (0 when there is none). */
function atof(s: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(s);
  return m ? Number(m[0]) : 0;
}

/** atoi: the leading integer (0 when there is none). */
export function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? Number(m[0]) : 0;
}

function suffixed(s: string, k: number): number {
  const n = atof(s);
  const m = /[kKmMgGtT]/.exec(
    s.replace(/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/, "").slice(0, 1),
  );
  if (m === null) return n;
  const power = "kmgt".indexOf(m[0].toLowerCase()) + 1;
  return n * k ** power;
}

/** unit_atof: a size with K, M, G, T meaning powers of 1024 (-w, -l, -n). */
export function unitAtof(s: string): number {
  return suffixed(s, 1024);
}

/** unit_atoi: the same, truncated to an integer. */
export function unitAtoi(s: string): number {
  return Math.trunc(unitAtof(s));
}

/** unit_atof_rate: a rate with K, M, G, T meaning powers of 1000 (-b). */
export function unitAtofRate(s: string): number {
  return suffixed(s, 1000);
}
