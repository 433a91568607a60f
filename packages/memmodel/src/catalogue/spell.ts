/*
 * Spells a pattern as herd .litmus text for MIPS or X86, optionally with one
 * fence left out, so that it goes through the reader like any published test
 * (and can be handed to herd7 as printed).
 */
import type { Arch } from "../program.js";
import { FENCE_SPELLING, type Pattern, type Step } from "./pattern.js";

/** MIPS registers for loaded values, in the order a thread's loads take them. */
const MIPS_VALUE_REGS = ["$2", "$3", "$5", "$6", "$7"];
const MIPS_TEMP = "$8";
const X86_REGS = ["EAX", "EBX", "ECX", "EDX", "ESI"];

function registers(arch: Arch, thread: readonly Step[]): Map<string, string> {
  const pool = arch === "MIPS" ? MIPS_VALUE_REGS : X86_REGS;
  const regs = new Map<string, string>();
  for (const s of thread) {
    if (s.k === "ld" && !regs.has(s.reg)) {
      const r = pool[regs.size];
      if (r === undefined) throw new Error(`pattern thread has more than ${pool.length} loads`);
      regs.set(s.reg, r);
    }
  }
  return regs;
}

function locations(p: Pattern): string[] {
  const locs = new Set(Object.keys(p.init));
  for (const t of p.threads) for (const s of t) if (s.k !== "fence") locs.add(s.loc);
  return [...locs];
}

function instructions(
  arch: Arch,
  thread: readonly Step[],
  tid: number,
  without: string | undefined,
): string[] {
  const regs = registers(arch, thread);
  const out: string[] = [];
  for (const s of thread) {
    if (s.k === "fence") {
      const spelled = FENCE_SPELLING[arch][s.barrier];
      if (s.name !== without && spelled !== null) out.push(spelled);
    } else if (arch === "MIPS") {
      const addr = `0(%${s.loc}${tid})`;
      if (s.k === "ld") out.push(`lw ${regs.get(s.reg)},${addr}`);
      else out.push(`ori ${MIPS_TEMP},$0,${s.v}`, `sw ${MIPS_TEMP},${addr}`);
    } else if (s.k === "ld") {
      out.push(`MOV ${regs.get(s.reg)},[${s.loc}]`);
    } else {
      out.push(`MOV [${s.loc}],$${s.v}`);
    }
  }
  return out;
}

/** The test's name: the pattern, and the fence left out if any. */
export function testName(p: Pattern, without?: string): string {
  return without === undefined ? p.name : `${p.name}+without-${without}`;
}

/** `p` as a .litmus test for `arch`, without the fence named `without`. */
export function spellLitmus(p: Pattern, arch: Arch, without?: string): string {
  const code = p.threads.map((t, tid) => instructions(arch, t, tid, without));
  const rows = Math.max(...code.map((c) => c.length));
  const width = Math.max(...code.flat().map((i) => i.length), 2) + 1;
  const cell = (s: string) => ` ${s.padEnd(width)}`;
  const header = p.threads.map((_, tid) => cell(`P${tid}`)).join("|");
  const lines = [];
  for (let r = 0; r < rows; r++) lines.push(`${code.map((c) => cell(c[r] ?? "")).join("|")};`);

  const init = Object.entries(p.init).map(([loc, v]) => `${loc}=${v};`);
  if (arch === "MIPS") {
    const locs = locations(p);
    p.threads.forEach((t, tid) => {
      const used = locs.filter((l) => t.some((s) => s.k !== "fence" && s.loc === l));
      init.push(...used.map((l) => `%${l}${tid}=${l};`));
    });
  }
  const regsOf = p.threads.map((t) => registers(arch, t));
  const prop = p.bad
    .map((conj) => {
      const atoms = conj.map(([tid, reg, v]) => `${tid}:${regsOf[tid]?.get(reg)}=${v}`);
      return `(${atoms.join(" /\\ ")})`;
    })
    .join(" \\/ ");
  return [
    `${arch} ${testName(p, without)}`,
    `"${p.about}"`,
    `{ ${init.join(" ")} }`,
    `${header};`,
    ...lines,
    `exists (${prop})`,
    "",
  ].join("\n");
}
