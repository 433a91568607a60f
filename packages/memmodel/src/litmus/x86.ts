/*
 * X86 instructions of herd's vocabulary (lib/X86Parser.mly, herd/X86Sem.ml)
 * into the checker's instructions. Memory operands are `[x]` (a location),
 * `[EAX]` or `(EAX)` (through a register); immediates are `$1` or `1`. As in
 * herd, XCHG with memory is always locked, LOCK applies to XCHG, ADD, XOR,
 * INC and DEC, and ALU operations set ZF := (result = 0), SF := (result > 0),
 * CF := 0, while CMP a,b sets ZF := (a = b), SF := (a > b). x86 has no
 * instruction with two memory operands, so neither does this reader.
 * CMPXCHG and MOVSD are rejected: herd 7.57 does not implement them.
 */
import type { Address, Instr, Operand, SourceRef } from "../program.js";
import type { BinOp } from "../value.js";
import { type ArchSyntax, isSymbolicRegister, type ParsedInstr } from "./arch.js";
import { OperandReader } from "./operands.js";
import type { Token, TokenStream } from "./source.js";

const REGISTERS = ["EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP", "EIP", "ZF", "SF", "CF"];

/** Holds what CMP or an ALU operation read from memory; never shown. */
const TMP = "#tmp";

/** An operand as written: a register, memory, or an immediate. */
type Ea =
  | { kind: "reg"; reg: string }
  | { kind: "mem"; addr: Address }
  | { kind: "imm"; value: number };

const MOVES = ["MOV", "MOVB", "MOVW", "MOVL", "MOVQ", "MOVT"];
const ALU: Record<string, BinOp> = { ADD: "add", XOR: "xor", OR: "or" };
const LOCKABLE = ["XCHG", "ADD", "XOR", "INC", "DEC"];
const MNEMONICS = [
  ...MOVES,
  "ADD",
  "XOR",
  "OR",
  "INC",
  "DEC",
  "CMP",
  "XCHG",
  "LOCK",
  "JMP",
  "JE",
  "JNE",
  "MFENCE",
  "LFENCE",
  "SFENCE",
  "SETNB",
  "CMOVC",
];

class X86Operands extends OperandReader {
  private register(t: Token): string {
    if (isSymbolicRegister(t.text)) return t.text;
    if (REGISTERS.includes(t.text)) return t.text;
    throw this.ts.error(
      `unknown register \`${t.text}\`; ${x86.registerHint}${/^[a-z_]/.test(t.text) ? ` (memory is written [${t.text}])` : ""}`,
      t,
    );
  }

  ea(): Ea {
    const t = this.ts.next();
    if (!t) throw this.fail(t);
    if (t.kind === "num") return { kind: "imm", value: this.ts.int32(t) };
    if (t.kind === "name" && /^\$-?(0[xX][0-9a-fA-F]+|\d+)$/.test(t.text)) {
      return { kind: "imm", value: this.ts.int32(t, t.text.slice(1)) };
    }
    if (t.kind === "name") return { kind: "reg", reg: this.register(t) };
    if (t.text === "[" || t.text === "(") {
      const close = t.text === "[" ? "]" : ")";
      const inner = this.ts.next();
      if (inner?.kind !== "name" || (close === ")" && !REGISTERS.includes(inner.text))) {
        throw this.fail(inner);
      }
      const end = this.ts.next();
      if (end?.kind !== "punct" || end.text !== close) throw this.fail(end);
      const base: Operand =
        REGISTERS.includes(inner.text) || isSymbolicRegister(inner.text)
          ? { reg: inner.text }
          : { imm: inner.text };
      return { kind: "mem", addr: { base, offset: 0 } };
    }
    throw this.fail(t);
  }

  /** An operand that may not be an immediate (a destination). */
  dest(e: Ea, at: Token): Exclude<Ea, { kind: "imm" }> {
    if (e.kind === "imm")
      throw this.ts.error(
        `bad operands: an immediate cannot be written to, in \`${this.form}\``,
        at,
      );
    return e;
  }
}

const asOperand = (e: Ea): Operand =>
  e.kind === "imm" ? { imm: e.value } : { reg: (e as { reg: string }).reg };

function parse(ts: TokenStream, text: string, locked = false): ParsedInstr {
  const head = ts.next()!;
  const m = head.text.toUpperCase();
  const src: SourceRef = { ...ts.src.position(head.offset), text };
  const ops = (form: string) => new X86Operands(ts, form);
  const done = (...instrs: Instr[]): ParsedInstr => ({ kind: "instrs", instrs });
  const twoMemory = () =>
    ts.error(`\`${m}\` with two memory operands: x86 has no such instruction`, head);
  const flagsOf = (dst: string): Instr => ({
    kind: "flags",
    a: { reg: dst },
    b: { imm: 0 },
    src,
  });
  /** A register or immediate operand; memory is first loaded into TMP. */
  const value = (e: Ea, pre: Instr[]): Operand => {
    if (e.kind !== "mem") return asOperand(e);
    pre.push({ kind: "load", dst: TMP, addr: e.addr, reserve: false, src });
    return { reg: TMP };
  };

  if (locked && !LOCKABLE.includes(m)) {
    throw ts.error(
      `LOCK applies to ${LOCKABLE.join(", ")} (as in herd7), not to \`${head.text}\``,
      head,
    );
  }
  if (MOVES.includes(m)) {
    const o = ops(`${m} destination, source`);
    const dst = o.dest(o.ea(), head);
    o.comma();
    const from = o.ea();
    o.end();
    if (dst.kind === "mem") {
      if (from.kind === "mem") throw twoMemory();
      return done({ kind: "store", value: asOperand(from), addr: dst.addr, src });
    }
    if (from.kind === "mem")
      return done({ kind: "load", dst: dst.reg, addr: from.addr, reserve: false, src });
    return done({ kind: "op", op: "add", dst: dst.reg, a: asOperand(from), b: { imm: 0 }, src });
  }
  const alu = ALU[m] ?? (m === "INC" ? "add" : m === "DEC" ? "sub" : undefined);
  if (alu) {
    const unary = m === "INC" || m === "DEC";
    const o = ops(unary ? `${m} destination` : `${m} destination, source`);
    const dst = o.dest(o.ea(), head);
    let from: Ea = { kind: "imm", value: 1 };
    if (!unary) {
      o.comma();
      from = o.ea();
    }
    o.end();
    if (dst.kind === "mem") {
      if (from.kind === "mem") throw twoMemory();
      const op = alu as "add" | "sub" | "xor" | "or";
      return done({ kind: "rmw", op, addr: dst.addr, operand: asOperand(from), locked, src });
    }
    const pre: Instr[] = [];
    const b = value(from, pre);
    return done(
      ...pre,
      { kind: "op", op: alu, dst: dst.reg, a: { reg: dst.reg }, b, src },
      flagsOf(dst.reg),
    );
  }
  switch (m) {
    case "CMP": {
      const o = ops("CMP a, b");
      const a = o.ea();
      o.comma();
      const b = o.ea();
      o.end();
      if (a.kind === "mem" && b.kind === "mem") throw twoMemory();
      const pre: Instr[] = [];
      const flags: Instr = { kind: "flags", a: value(a, pre), b: value(b, pre), src };
      return done(...pre, flags);
    }
    case "XCHG": {
      const o = ops("XCHG a, b");
      const a = o.dest(o.ea(), head);
      o.comma();
      const b = o.dest(o.ea(), head);
      o.end();
      if (a.kind === "mem" && b.kind === "mem") throw twoMemory();
      if (a.kind === "mem" || b.kind === "mem") {
        const [mem, r] = a.kind === "mem" ? [a, b as { reg: string }] : [b as { addr: Address }, a];
        return done({
          kind: "rmw",
          op: "xchg",
          addr: mem.addr,
          operand: { reg: r.reg },
          locked: true,
          src,
        });
      }
      return done(
        { kind: "op", op: "add", dst: TMP, a: { reg: a.reg }, b: { imm: 0 }, src },
        { kind: "op", op: "add", dst: a.reg, a: { reg: b.reg }, b: { imm: 0 }, src },
        { kind: "op", op: "add", dst: b.reg, a: { reg: TMP }, b: { imm: 0 }, src },
      );
    }
    case "LOCK": {
      if (ts.atEnd()) throw ts.error("LOCK must prefix an instruction, e.g. `LOCK INC [x]`", head);
      return parse(ts, text, true);
    }
    case "JMP":
    case "JE":
    case "JNE": {
      const o = ops(`${m} label`);
      const l = o.label();
      o.end();
      const test = m === "JMP" ? "always" : m === "JE" ? "ne" : "eq";
      return {
        kind: "branch",
        label: l.text,
        labelOffset: l.offset,
        make: (target) => ({ kind: "branch", test, a: { reg: "ZF" }, b: { imm: 0 }, target, src }),
      };
    }
    case "MFENCE":
    case "LFENCE":
    case "SFENCE":
      ops(m).end();
      return done({ kind: "fence", fence: m, src });
    case "SETNB": {
      const o = ops("SETNB destination");
      const dst = o.dest(o.ea(), head);
      o.end();
      const notCf: Instr = {
        kind: "op",
        op: "xor",
        dst: dst.kind === "reg" ? dst.reg : TMP,
        a: { reg: "CF" },
        b: { imm: 1 },
        src,
      };
      if (dst.kind === "reg") return done(notCf);
      return done(notCf, { kind: "store", value: { reg: TMP }, addr: dst.addr, src });
    }
    case "CMOVC": {
      const o = ops("CMOVC register, source");
      const dst = o.ea();
      o.comma();
      const from = o.ea();
      o.end();
      if (dst.kind !== "reg" || from.kind === "imm")
        throw ts.error("bad operands: expected `CMOVC register, source`", head);
      if (from.kind === "reg") {
        return done({ kind: "cmovc", dst: dst.reg, from: { reg: from.reg }, src });
      }
      return done({ kind: "cmovc", dst: dst.reg, from: { addr: from.addr }, src });
    }
    case "CMPXCHG":
    case "MOVSD":
      throw ts.error(`\`${m}\` is not supported (herd7 7.57 does not implement it either)`, head);
  }
  throw ts.error(
    `unknown instruction \`${head.text}\`; X86 instructions: ${MNEMONICS.join(", ")}`,
    head,
  );
}

export const x86: ArchSyntax = {
  arch: "X86",
  register(spelling) {
    return isSymbolicRegister(spelling) || REGISTERS.includes(spelling) ? spelling : undefined;
  },
  registerRank(r) {
    const i = REGISTERS.indexOf(r);
    return i < 0 ? 100 : i;
  },
  registerHint: `X86 registers are ${REGISTERS.join(", ")} and symbolic %name`,
  instruction: (ts, text) => parse(ts, text),
};
