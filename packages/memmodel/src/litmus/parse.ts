/*
 * Reads a herd .litmus file of architecture MIPS or X86 into a LitmusTest:
 * the sections (split.ts), the program table (rows end with `;`, threads are
 * separated by `|`, the first row names them P0 | P1 ...), the initial state
 * and the constraints (state.ts). Every error is a LitmusSyntaxError at the
 * file, line and column of what is wrong.
 */

import { LitmusSyntaxError } from "../errors.js";
import type { Arch, Instr, LitmusTest, Location, Operand, Prop, Thread } from "../program.js";
import type { Value } from "../value.js";
import type { ArchSyntax } from "./arch.js";
import { mips } from "./mips.js";
import { SourceFile, TokenStream, tokenize } from "./source.js";
import { type Span, splitSections } from "./split.js";
import { parseConstraints, parseInit } from "./state.js";
import { x86 } from "./x86.js";

export const syntaxOf = (arch: Arch): ArchSyntax => (arch === "MIPS" ? mips : x86);

/**
 * The size of program the checker takes. herd's tests have a few threads of
 * a few instructions; these limits are far above them and keep the checker's
 * recursions (over threads, and over a register's chain of operations) off
 * the end of the stack, and the paths of the threads (two per conditional
 * branch) countable.
 */
const MAX_THREADS = 1000;
const MAX_INSTRUCTIONS = 1000;
const MAX_BRANCHES = 16;

/** Refuses a program larger than the limits above, at the row or branch that passes them. */
function checkSize(src: SourceFile, threads: readonly Thread[], rows: Span[][]): void {
  if (threads.length > MAX_THREADS) {
    throw src.error(
      rows[0]![MAX_THREADS]!.start,
      `more than ${MAX_THREADS} threads; the checker takes tests of at most ${MAX_THREADS}`,
    );
  }
  for (const t of threads) {
    if (t.code.length > MAX_INSTRUCTIONS) {
      const i = t.code[MAX_INSTRUCTIONS]!.src;
      throw new LitmusSyntaxError(
        src.file,
        i.line,
        i.column,
        `P${t.id} has more than ${MAX_INSTRUCTIONS} instructions; the checker takes at most ${MAX_INSTRUCTIONS} a thread`,
      );
    }
  }
  const branches = threads.flatMap((t) =>
    t.code.filter((i) => i.kind === "branch" && i.test !== "always"),
  );
  if (branches.length > MAX_BRANCHES) {
    const b = branches[MAX_BRANCHES]!.src;
    throw new LitmusSyntaxError(
      src.file,
      b.line,
      b.column,
      `more than ${MAX_BRANCHES} conditional branches; each doubles the paths to check, so the checker takes at most ${MAX_BRANCHES} a test`,
    );
  }
}

/** The program table as rows of cells, each cell a span of the file. */
function tableCells(src: SourceFile, code: Span): Span[][] {
  const rows: Span[][] = [];
  let row: Span[] = [];
  let cellStart = code.start;
  let i = code.start;
  while (i < code.end) {
    const c = src.text[i];
    if (c === "(" && src.text[i + 1] === "*") {
      const close = src.text.indexOf("*)", i + 2);
      if (close < 0 || close >= code.end)
        throw src.error(i, "comment `(*` is never closed by `*)`");
      i = close + 2;
      continue;
    }
    if (c === "|" || c === ";") {
      row.push({ start: cellStart, end: i });
      cellStart = i + 1;
      if (c === ";") {
        rows.push(row);
        row = [];
      }
    }
    i++;
  }
  const rest = src.text.slice(cellStart, code.end);
  if (rest.replace(/\(\*[\s\S]*?\*\)/g, "").trim() !== "") {
    const at = cellStart + rest.search(/\S/);
    // `exits (...)`: a misspelt quantifier, not the end of the program.
    const word = /^\s*([~A-Za-z_][\w~]*)\s*\(/.exec(rest);
    throw src.error(
      at,
      word
        ? `bad condition: expected \`exists\`, \`~exists\` or \`forall\`, got \`${word[1]}\``
        : "the program row does not end with `;`",
    );
  }
  return rows;
}

function threadHeader(src: SourceFile, cells: Span[] | undefined, at: number): number {
  if (!cells) throw src.error(at, "no program: the first row names the threads, e.g. `P0 | P1 ;`");
  cells.forEach((cell, i) => {
    const tokens = tokenize(src, cell.start, cell.end);
    if (tokens.length !== 1 || tokens[0]!.text !== `P${i}`) {
      const got = tokens.map((t) => t.text).join(" ");
      throw src.error(
        tokens[0]?.offset ?? cell.start,
        `the first row names the threads in order: expected \`P${i}\`, got \`${got}\``,
      );
    }
  });
  return cells.length;
}

/** Reads the instructions of every thread and resolves branch labels to indices. */
function readThreads(src: SourceFile, syntax: ArchSyntax, rows: Span[][], n: number): Thread[] {
  const code: Instr[][] = Array.from({ length: n }, () => []);
  const labels: Map<string, number>[] = Array.from({ length: n }, () => new Map());
  const pending: {
    tid: number;
    index: number;
    label: string;
    offset: number;
    make: (t: number) => Instr;
  }[] = [];
  for (const row of rows) {
    if (row.length > n)
      throw src.error(row[n]!.start, `this row has more cells than the ${n} threads`);
    row.forEach((cell, tid) => {
      const tokens = tokenize(src, cell.start, cell.end);
      let k = 0;
      while (tokens[k]?.kind === "name" && tokens[k + 1]?.text === ":") {
        const l = tokens[k]!;
        if (labels[tid]!.has(l.text))
          throw src.error(l.offset, `label ${l.text} is defined twice in P${tid}`);
        labels[tid]!.set(l.text, code[tid]!.length);
        k += 2;
      }
      const rest = tokens.slice(k);
      if (rest.length === 0) return;
      const text = src.text.slice(rest[0]!.offset, cell.end).trim();
      const parsed = syntax.instruction(new TokenStream(src, rest, cell.end), text);
      if (parsed.kind === "instrs") {
        code[tid]!.push(...parsed.instrs);
        return;
      }
      pending.push({
        tid,
        index: code[tid]!.length,
        label: parsed.label,
        offset: parsed.labelOffset,
        make: parsed.make,
      });
      code[tid]!.push(parsed.make(-1));
    });
  }
  for (const b of pending) {
    const target = labels[b.tid]!.get(b.label);
    if (target === undefined) throw src.error(b.offset, `unknown label ${b.label} in P${b.tid}`);
    if (target <= b.index) {
      throw src.error(
        b.offset,
        `branch back to ${b.label}: loops are not supported (unroll the loop by hand)`,
      );
    }
    code[b.tid]![b.index] = b.make(target);
  }
  return code.map((c, id) => ({ id, code: c }));
}

function operandRegs(i: Instr): string[] {
  switch (i.kind) {
    case "op":
      return [i.dst, ...regsOf(i.a, i.b)];
    case "load":
      return [i.dst, ...regsOf(i.addr.base)];
    case "store":
      return regsOf(i.value, i.addr.base);
    case "sc":
      return [i.reg, ...regsOf(i.addr.base)];
    case "rmw":
      return regsOf(i.operand, i.addr.base);
    case "branch":
    case "flags":
      return regsOf(i.a, i.b);
    case "cmovc":
      return [i.dst, ...("reg" in i.from ? [i.from.reg] : regsOf(i.from.addr.base))];
    case "fence":
      return [];
  }
}

function regsOf(...ops: Operand[]): string[] {
  return ops.flatMap((o) => ("reg" in o ? [o.reg] : []));
}

/** Memory locations named by the code itself (X86 `[x]`). */
function codeLocations(threads: readonly Thread[]): string[] {
  const out: string[] = [];
  for (const t of threads) {
    for (const i of t.code) {
      const addr =
        "addr" in i ? i.addr : i.kind === "cmovc" && "addr" in i.from ? i.from.addr : undefined;
      if (addr && "imm" in addr.base && typeof addr.base.imm === "string") out.push(addr.base.imm);
    }
  }
  return out;
}

function propLocations(p: Prop, out: Location[]): Location[] {
  switch (p.kind) {
    case "atom":
      out.push(p.loc);
      break;
    case "not":
      propLocations(p.p, out);
      break;
    case "and":
    case "or":
      for (const q of p.ps) propLocations(q, out);
      break;
    case "implies":
      propLocations(p.p, out);
      propLocations(p.q, out);
  }
  return out;
}

const sameLocation = (a: Location, b: Location) =>
  a.kind === "mem"
    ? b.kind === "mem" && a.name === b.name
    : b.kind === "reg" && a.tid === b.tid && a.reg === b.reg;

/** Parses the text of a .litmus file; `file` names it in error messages. */
export function parseLitmus(text: string, file: string): LitmusTest {
  const src = new SourceFile(file, text);
  const sections = splitSections(src);
  const syntax = syntaxOf(sections.arch);
  const rows = tableCells(src, sections.code);
  const n = threadHeader(src, rows[0], sections.code.start);
  const threads = readThreads(src, syntax, rows.slice(1), n);
  checkSize(src, threads, rows);
  const ctx = { src, syntax, threads: n };

  const init: { loc: Location; value: Value }[] = [];
  const declared = new Set(codeLocations(threads));
  for (const e of parseInit(ctx, sections.init)) {
    if (typeof e.value === "string") declared.add(e.value);
    const loc = e.at.loc;
    if (loc.kind === "mem") declared.add(loc.name);
    if (loc.kind !== "sreg") {
      init.push({ loc, value: e.value });
      continue;
    }
    // A symbolic register without a thread is that register in every thread that uses it.
    for (const t of threads) {
      if (t.code.some((i) => operandRegs(i).includes(loc.reg))) {
        init.push({ loc: { kind: "reg", tid: t.id, reg: loc.reg }, value: e.value });
      }
    }
  }

  const constraints = parseConstraints(ctx, sections.constraints);
  const named = [
    ...constraints.locations.flatMap((l) =>
      l.loc.kind === "mem" ? [{ name: l.loc.name, offset: l.offset }] : [],
    ),
    ...constraints.names,
  ];
  for (const { name, offset } of named) {
    if (!declared.has(name)) {
      throw src.error(
        offset,
        `undeclared location \`${name}\`: no instruction accesses it and the initial state does not name it (declare it, e.g. \`{ ${name}=0; }\`)`,
      );
    }
  }

  const observed: Location[] = [];
  for (const loc of [
    ...constraints.locations.map((l) => l.loc as Location),
    ...propLocations(constraints.condition.prop, []),
  ]) {
    if (!observed.some((o) => sameLocation(o, loc))) observed.push(loc);
  }
  return {
    arch: syntax.arch,
    name: sections.name,
    file,
    threads,
    init,
    locations: [...declared].sort(),
    observed,
    condition: constraints.condition,
  };
}
