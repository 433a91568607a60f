/*
 * MIPS instructions of herd's vocabulary (lib/MIPSParser.mly, herd/MIPSSem.ml)
 * into the checker's instructions. Immediates follow herd: logical ones
 * (ori, andi, xori, li) take the low 16 bits unsigned, arithmetic ones and
 * offsets sign-extend them. `$0` reads as 0 and ignores writes. `jr`
 * (indirect jumps) is left out: litmus tests are loop-free and jump to labels.
 */
import type { Address, Instr, Operand, SourceRef } from "../program.js";
import type { BinOp } from "../value.js";
import { type ArchSyntax, isSymbolicRegister, type ParsedInstr } from "./arch.js";
import { OperandReader } from "./operands.js";
import type { TokenStream } from "./source.js";

const NAMED = [
  "zero",
  "at",
  "v0",
  "v1",
  "a0",
  "a1",
  "a2",
  "a3",
  "t0",
  "t1",
  "t2",
  "t3",
  "t4",
  "t5",
  "t6",
  "t7",
  "s0",
  "s1",
  "s2",
  "s3",
  "s4",
  "s5",
  "s6",
  "s7",
  "t8",
  "t9",
  "k0",
  "k1",
  "gp",
  "sp",
  "fp",
  "ra",
  "a4",
  "a5",
  "a6",
  "a7",
];

/** `$n` for the 32 general registers; herd prints registers 32-35 (O64's a4-a7) by name. */
function canonical(index: number): string {
  return index < 32 ? `$${index}` : `$${NAMED[index]}`;
}

function registerIndex(spelling: string): number | undefined {
  const bare = spelling.startsWith("$") ? spelling.slice(1) : spelling;
  if (/^\d+$/.test(bare) && spelling.startsWith("$")) {
    const n = Number(bare);
    return n < 32 ? n : undefined;
  }
  const i = NAMED.indexOf(bare);
  return i < 0 ? undefined : i;
}

const sext16 = (k: number) => ((k & 0xffff) << 16) >> 16;
const zext16 = (k: number) => k & 0xffff;

/** Three-register and register-immediate operations: [op, immediate is logical]. */
const ALU: Record<string, [BinOp, "reg" | "signed" | "unsigned"]> = {
  add: ["add", "reg"],
  addu: ["add", "reg"],
  daddu: ["add", "reg"],
  sub: ["sub", "reg"],
  subu: ["sub", "reg"],
  slt: ["slt", "reg"],
  sltu: ["sltu", "reg"],
  and: ["and", "reg"],
  or: ["or", "reg"],
  xor: ["xor", "reg"],
  nor: ["nor", "reg"],
  addi: ["add", "signed"],
  addiu: ["add", "signed"],
  daddiu: ["add", "signed"],
  subi: ["sub", "signed"],
  subiu: ["sub", "signed"],
  slti: ["slt", "signed"],
  sltiu: ["sltu", "signed"],
  andi: ["and", "unsigned"],
  ori: ["or", "unsigned"],
  xori: ["xor", "unsigned"],
};

const BRANCH_ZERO = { blez: "lez", bgtz: "gtz", bltz: "ltz", bgez: "gez" } as const;

const MNEMONICS = [
  ...Object.keys(ALU),
  "nop",
  "lui",
  "li",
  "move",
  "lw",
  "ld",
  "sw",
  "ll",
  "sc",
  "sync",
  "dsll",
  "dext",
  "b",
  "beq",
  "bne",
  ...Object.keys(BRANCH_ZERO),
];

class MipsOperands extends OperandReader {
  reg(): string {
    const t = this.ts.next();
    if (t?.kind !== "name") throw this.fail(t);
    if (isSymbolicRegister(t.text)) return t.text;
    const i = registerIndex(t.text);
    if (i === undefined) {
      throw this.ts.error(`unknown register \`${t.text}\`; ${mips.registerHint}`, t);
    }
    return canonical(i);
  }

  int(): number {
    const t = this.ts.next();
    if (t?.kind !== "num") throw this.fail(t);
    return this.ts.int32(t);
  }

  /** A bit position or count of the 32-bit values (value.ts): wider ones would wrap. */
  bits(what: string, max: number): number {
    const t = this.ts.peek();
    const k = this.int();
    if (k < 0 || k > max) {
      throw this.ts.error(
        `${what} must be from 0 to ${max} (values here are 32 bits), got ${k}`,
        t,
      );
    }
    return k;
  }

  /** `offset(base)` or `(base)`. */
  address(): Address {
    const offset = this.ts.peek()?.kind === "num" ? sext16(this.int()) : 0;
    const open = this.ts.next();
    if (open?.kind !== "punct" || open.text !== "(") throw this.fail(open);
    const base = this.reg();
    const close = this.ts.next();
    if (close?.kind !== "punct" || close.text !== ")") throw this.fail(close);
    return { base: { reg: base }, offset };
  }
}

const reg = (r: string): Operand => ({ reg: r });
const imm = (v: number): Operand => ({ imm: v });

function parse(ts: TokenStream, text: string): ParsedInstr {
  const head = ts.next()!;
  const m = head.text;
  const src: SourceRef = { ...ts.src.position(head.offset), text };
  const forms: Record<string, string> = {
    lw: "lw rt, offset(base)",
    ld: "ld rt, offset(base)",
    ll: "ll rt, offset(base)",
    sw: "sw rt, offset(base)",
    sc: "sc rt, offset(base)",
  };
  const ops = (form: string) => new MipsOperands(ts, form);
  const done = (...instrs: Instr[]): ParsedInstr => ({ kind: "instrs", instrs });

  const alu = ALU[m];
  if (alu) {
    const [op, second] = alu;
    const o = ops(second === "reg" ? `${m} rd, rs, rt` : `${m} rt, rs, immediate`);
    const dst = o.reg();
    o.comma();
    const a = o.reg();
    o.comma();
    const b =
      second === "reg"
        ? reg(o.reg())
        : imm(second === "signed" ? sext16(o.int()) : zext16(o.int()));
    o.end();
    return done({ kind: "op", op, dst, a: reg(a), b, src });
  }
  switch (m) {
    case "nop":
      ops("nop").end();
      return done();
    case "lui": {
      const o = ops("lui rt, immediate");
      const dst = o.reg();
      o.comma();
      const k = o.int();
      o.end();
      return done({ kind: "op", op: "add", dst, a: imm((k << 16) | 0), b: imm(0), src });
    }
    case "li": {
      const o = ops("li rt, immediate");
      const dst = o.reg();
      o.comma();
      const k = zext16(o.int());
      o.end();
      return done({ kind: "op", op: "add", dst, a: imm(k), b: imm(0), src });
    }
    case "move": {
      const o = ops("move rd, rs");
      const dst = o.reg();
      o.comma();
      const from = o.reg();
      o.end();
      return done({ kind: "op", op: "add", dst, a: reg(from), b: imm(0), src });
    }
    case "dsll": {
      const o = ops("dsll rd, rt, shift");
      const dst = o.reg();
      o.comma();
      const a = o.reg();
      o.comma();
      const k = o.bits("the shift", 31);
      o.end();
      return done({ kind: "op", op: "shl", dst, a: reg(a), b: imm(k), src });
    }
    case "dext": {
      const o = ops("dext rt, rs, pos, size");
      const dst = o.reg();
      o.comma();
      const a = o.reg();
      o.comma();
      const pos = o.bits("the position", 31);
      o.comma();
      const size = o.bits("the size", 32 - pos);
      o.end();
      const mask = size >= 32 ? -1 : (1 << size) - 1;
      return done(
        { kind: "op", op: "shr", dst, a: reg(a), b: imm(pos), src },
        { kind: "op", op: "and", dst, a: reg(dst), b: imm(mask), src },
      );
    }
    case "lw":
    case "ld":
    case "ll": {
      const o = ops(forms[m]!);
      const dst = o.reg();
      o.comma();
      const addr = o.address();
      o.end();
      return done({ kind: "load", dst, addr, reserve: m === "ll", src });
    }
    case "sw": {
      const o = ops(forms[m]!);
      const value = o.reg();
      o.comma();
      const addr = o.address();
      o.end();
      return done({ kind: "store", value: reg(value), addr, src });
    }
    case "sc": {
      const o = ops(forms[m]!);
      const r = o.reg();
      o.comma();
      const addr = o.address();
      o.end();
      return done({ kind: "sc", reg: r, addr, src });
    }
    case "sync":
      ops("sync").end();
      return done({ kind: "fence", fence: "SYNC", src });
    case "b": {
      const o = ops("b label");
      const l = o.label();
      o.end();
      return {
        kind: "branch",
        label: l.text,
        labelOffset: l.offset,
        make: (target) => ({ kind: "branch", test: "always", a: imm(0), b: imm(0), target, src }),
      };
    }
    case "beq":
    case "bne": {
      const o = ops(`${m} rs, rt, label`);
      const a = o.reg();
      o.comma();
      const b = o.reg();
      o.comma();
      const l = o.label();
      o.end();
      return {
        kind: "branch",
        label: l.text,
        labelOffset: l.offset,
        make: (target) => ({
          kind: "branch",
          test: m === "beq" ? "eq" : "ne",
          a: reg(a),
          b: reg(b),
          target,
          src,
        }),
      };
    }
    case "blez":
    case "bgtz":
    case "bltz":
    case "bgez": {
      const o = ops(`${m} rs, label`);
      const a = o.reg();
      o.comma();
      const l = o.label();
      o.end();
      const test = BRANCH_ZERO[m];
      return {
        kind: "branch",
        label: l.text,
        labelOffset: l.offset,
        make: (target) => ({ kind: "branch", test, a: reg(a), b: imm(0), target, src }),
      };
    }
  }
  if (m === "jr") {
    throw ts.error("`jr` (indirect jump) is not supported: branch to a label instead", head);
  }
  const lower = MNEMONICS.includes(m.toLowerCase())
    ? ` (MIPS mnemonics are lower case: \`${m.toLowerCase()}\`)`
    : "";
  throw ts.error(
    `unknown instruction \`${m}\`${lower}; MIPS instructions: ${[...MNEMONICS].sort().join(", ")}`,
    head,
  );
}

export const mips: ArchSyntax = {
  arch: "MIPS",
  register(spelling) {
    if (isSymbolicRegister(spelling)) return spelling;
    const i = registerIndex(spelling);
    return i === undefined ? undefined : canonical(i);
  },
  registerRank(r) {
    const i = registerIndex(r);
    return i ?? 100;
  },
  registerHint: "MIPS registers are $0-$31 (or $zero, $v0, $a0, $t0, $s0, ...) and symbolic %name",
  instruction: parse,
};
