import { describe, expect, it } from "vitest";
import { checkTest, LitmusSyntaxError, mips, parseLitmus, x86tso } from "../src/index.js";

const MP_MIPS = `MIPS MP
"PodWW Rfe PodRR Fre"
{
%x0=x; %y0=y;
%y1=y; %x1=x;
}
 P0           | P1           ;
 ori $2,$0,1  | lw $2,0(%y1) ;
 sw $2,0(%x0) | lw $3,0(%x1) ;
 ori $3,$0,1  |              ;
 sw $3,0(%y0) |              ;
exists (1:$2=1 /\\ 1:$3=0)
`;

const SB_X86 = `X86 SB
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:EAX=0)
`;

/** The error of reading (and, for errors only a run finds, running) a test. */
function errorOf(text: string): LitmusSyntaxError {
  try {
    const t = parseLitmus(text, "T.litmus");
    checkTest(t, t.arch === "MIPS" ? mips : x86tso);
  } catch (e) {
    if (e instanceof LitmusSyntaxError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("bad input: each class has its own message, placed at file:line:column", () => {
  it("an unknown instruction", () => {
    const e = errorOf(MP_MIPS.replace("lw $3,0(%x1)", "lx $3,0(%x1)"));
    expect([e.line, e.column]).toEqual([9, 17]);
    expect(e.message).toMatch(/^T\.litmus:9:17: unknown instruction `lx`; MIPS instructions: /);
  });

  it("an X86 mnemonic that herd does not know either", () => {
    expect(errorOf(SB_X86.replace("MOV EAX,[x]", "MOVZX EAX,[x]")).message).toMatch(
      /^T\.litmus:5:16: unknown instruction `MOVZX`; X86 instructions: MOV/,
    );
  });

  it("an upper-case MIPS mnemonic is told to be written in lower case", () => {
    expect(errorOf(MP_MIPS.replace("ori $2,$0,1  | lw", "ORI $2,$0,1  | lw")).reason).toContain(
      "(MIPS mnemonics are lower case: `ori`)",
    );
  });

  it("an unknown register in the code, the initial state and the condition", () => {
    expect(errorOf(MP_MIPS.replace("lw $2,0(%y1)", "lw $40,0(%y1)")).message).toMatch(
      /^T\.litmus:8:20: unknown register `\$40`; MIPS registers are \$0-\$31/,
    );
    expect(errorOf(SB_X86.replace("MOV EAX,[y]", "MOV EZX,[y]")).message).toMatch(
      /^T\.litmus:5:6: unknown register `EZX`; X86 registers are EAX, /,
    );
    expect(errorOf(SB_X86.replace("{ }", "{ 0:EZX=1; }")).message).toMatch(
      /^T\.litmus:2:5: unknown register `EZX` in the initial state/,
    );
    expect(errorOf(SB_X86.replace("1:EAX=0)", "1:EQX=0)")).message).toMatch(
      /^T\.litmus:6:22: unknown register `EQX` in the condition/,
    );
  });

  it("a memory location written without brackets in X86 code is an unknown register, with the fix", () => {
    expect(
      errorOf(SB_X86.replace("MOV [x],$1  | MOV [y]", "MOV x,$1    | MOV [y]")).reason,
    ).toContain("(memory is written [x])");
  });

  it("an undeclared location in the condition", () => {
    const e = errorOf(SB_X86.replace("1:EAX=0)", "[z]=1)"));
    expect(e.message).toBe(
      "T.litmus:6:20: undeclared location `z`: no instruction accesses it and the initial state does not name it (declare it, e.g. `{ z=0; }`)",
    );
  });

  it("an address register that holds no location", () => {
    const e = errorOf(MP_MIPS.replace("%y1=y; %x1=x;", "%y1=y;"));
    expect(e.message).toMatch(
      /^T\.litmus:9:17: undeclared location: the address is 0, not a location/,
    );
  });

  it("a bad condition", () => {
    expect(errorOf(SB_X86.replace("exists", "exits")).message).toMatch(
      /^T\.litmus:6:1: bad condition: expected `exists`, `~exists` or `forall`, got `exits`/,
    );
    expect(errorOf(SB_X86.replace("1:EAX=0)", "1:EAX=)")).message).toMatch(
      /^T\.litmus:6:26: bad condition: expected a value \(an integer or a location\), got `\)`/,
    );
    expect(errorOf(SB_X86.replace("1:EAX=0)", "1:EAX=0 0:EAX=1)")).reason).toBe(
      "bad condition: expected `)` closing the parenthesis, got `0`",
    );
    expect(errorOf(SB_X86.replace("1:EAX=0)", "3:EAX=0)")).reason).toBe(
      "bad condition: thread 3 does not exist; the test has 2 (P0-P1)",
    );
    expect(errorOf(SB_X86.replace(/exists.*\n/, "")).reason).toContain(
      "bad condition: the test has no final condition",
    );
  });

  it("a wrong architecture line", () => {
    expect(errorOf(SB_X86.replace("X86 SB", "ARM SB")).message).toBe(
      "T.litmus:1:1: wrong architecture line: ARM tests are not supported; this checker reads MIPS and X86",
    );
    expect(errorOf(SB_X86.replace("X86 SB", "X87 SB")).reason).toBe(
      "wrong architecture line: unknown architecture `X87`; expected MIPS or X86 followed by the test name",
    );
    expect(errorOf(SB_X86.replace("X86 SB", "X86")).message).toMatch(
      /^T\.litmus:1:4: wrong architecture line: `X86` must be followed by the test name/,
    );
    expect(errorOf("").reason).toMatch(/^empty file/);
  });

  it("malformed programs: a row without `;`, threads out of order, a loop, an unknown label", () => {
    expect(errorOf(SB_X86.replace("MOV EAX,[x] ;", "MOV EAX,[x]")).reason).toBe(
      "the program row does not end with `;`",
    );
    expect(errorOf(SB_X86.replace("P0          | P1", "P1          | P0")).reason).toBe(
      "the first row names the threads in order: expected `P0`, got `P1`",
    );
    const loop = MP_MIPS.replace(" ori $2,$0,1  | lw", "L0: ori $2,$0,1 | lw").replace(
      " ori $3,$0,1  |",
      " b L0 |",
    );
    expect(errorOf(loop).reason).toBe(
      "branch back to L0: loops are not supported (unroll the loop by hand)",
    );
    expect(errorOf(MP_MIPS.replace(" ori $3,$0,1  |", " b L9 |")).reason).toBe(
      "unknown label L9 in P0",
    );
  });

  it("bad operands name the form the instruction takes", () => {
    expect(errorOf(MP_MIPS.replace("sw $2,0(%x0)", "sw $2,%x0")).reason).toBe(
      "bad operands: expected `sw rt, offset(base)`, got `%x0`",
    );
    expect(
      errorOf(SB_X86.replace("MOV [x],$1  | MOV [y],$1", "MOV [x],[y] | MOV [y],$1")).reason,
    ).toBe("`MOV` with two memory operands: x86 has no such instruction");
  });
});

describe("reading", () => {
  it("reads herd's syntax: doc string, info lines, comments, types, hex, ~exists, locations", () => {
    const t = parseLitmus(
      `X86 T
"doc { with a brace }"
Generator=hand
{ int x = 0x1; uint64_t 1:EBX = 2; }
 P0 (* the writer *)  | P1          ;
 MOV [x],$2           | MOV EAX,[x] ;
locations [1:EBX;]
~exists (1:EAX=1 \\/ not (1:EAX=2))
`,
      "T.litmus",
    );
    expect(t.name).toBe("T");
    expect(t.init).toEqual([
      { loc: { kind: "mem", name: "x" }, value: 1 },
      { loc: { kind: "reg", tid: 1, reg: "EBX" }, value: 2 },
    ]);
    expect(t.condition.quantifier).toBe("~exists");
    expect(t.observed).toEqual([
      { kind: "reg", tid: 1, reg: "EBX" },
      { kind: "reg", tid: 1, reg: "EAX" },
    ]);
  });

  it("resolves a forward branch to the instruction after its label", () => {
    const t = parseLitmus(
      MP_MIPS.replace(
        " ori $2,$0,1  | lw $2,0(%y1) ;",
        " ori $2,$0,1  | lw $2,0(%y1) ;\n              | beq $2,$0,L ;",
      ).replace(" ori $3,$0,1  |              ;", " ori $3,$0,1  | L:           ;"),
      "T.litmus",
    );
    expect(t.threads[1]!.code.map((i) => i.kind)).toEqual(["load", "branch", "load"]);
    expect(t.threads[1]!.code[1]).toMatchObject({ kind: "branch", test: "eq", target: 3 });
  });

  it("spells MIPS registers by number whatever name they were written with", () => {
    const t = parseLitmus(
      MP_MIPS.replace("lw $2,0(%y1)", "lw v0,0(%y1)").replace("lw $3,0(%x1)", "lw $v1,0(%x1)"),
      "T.litmus",
    );
    expect(t.threads[1]!.code.map((i) => (i.kind === "load" ? i.dst : ""))).toEqual(["$2", "$3"]);
  });
});
