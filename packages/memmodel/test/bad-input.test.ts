/*
 * The odd inputs of issue 14 §8, each refused with a one-line message at its
 * place in the file (or, for a test too large to check, stopped by the
 * budget with what it got through), never a stack overflow, a TypeError, a
 * cut value or an endless run.
 */
import { describe, expect, it } from "vitest";
import {
  CheckLimitError,
  type CheckProgress,
  checkTest,
  LitmusSyntaxError,
  MemmodelError,
  mips,
  parseLitmus,
  sc,
  x86tso,
} from "../src/index.js";

/** A one-thread MIPS test with a condition and extra init entries. */
const mipsTest = (condition: string, init = "", code = "lw $3,0(%x0)") =>
  `MIPS T\n{ %x0=x; ${init} }\n P0 ;\n ${code} ;\nexists (${condition})\n`;

function syntaxError(text: string): LitmusSyntaxError {
  try {
    parseLitmus(text, "T.litmus");
  } catch (e) {
    if (e instanceof LitmusSyntaxError) return e;
    throw e;
  }
  throw new Error("read without an error");
}

describe("the reader refuses what it would otherwise crash on, cut or misread", () => {
  it("a condition nested thousands deep, by parentheses, ~ or =>", () => {
    const deep = [
      `${"(".repeat(5000)}0:$3=0${")".repeat(5000)}`,
      `${"~".repeat(5000)}0:$3=0`,
      `${"0:$3=0 => ".repeat(5000)}0:$3=0`,
    ];
    for (const c of deep) {
      expect(syntaxError(mipsTest(c)).reason).toBe(
        "bad condition: the proposition nests more than 200 deep (parentheses, `~`, `=>`); write it flatter",
      );
    }
    // 200 levels still read and check.
    const ok = parseLitmus(mipsTest(`${"(".repeat(199)}0:$3=0${")".repeat(199)}`), "T.litmus");
    expect(checkTest(ok, sc).positive).toBe(1);
  });

  it("a negative thread, in the condition and in the initial state", () => {
    expect(syntaxError(mipsTest("-1:$3=0")).message).toBe(
      "T.litmus:5:9: bad condition: thread -1 does not exist; the test has 1 (P0)",
    );
    expect(syntaxError(mipsTest("0:$3=0", "-1:$5=7;")).message).toBe(
      "T.litmus:2:10: bad initial state: thread -1 does not exist; the test has 1 (P0)",
    );
  });

  it("values of 32 bits and more, in conditions, initial states and immediates", () => {
    const wide = "does not fit in 32 bits: values are 32-bit signed integers";
    expect(syntaxError(mipsTest("0:$3=4294967296")).reason).toBe(
      `\`4294967296\` ${wide}, -2147483648 to 2147483647`,
    );
    expect(syntaxError(mipsTest("0:$3=0", "x=0x100000000;")).reason).toContain(wide);
    expect(syntaxError(mipsTest("0:$3=2147483648")).reason).toContain(wide);
    expect(syntaxError(mipsTest("0:$3=0", "", "ori $3,$0,0x100000000")).reason).toContain(wide);
    const x86 = "X86 T\n{ }\n P0 ;\n MOV [x],$0x100000000 ;\nexists ([x]=0)\n";
    expect(syntaxError(x86).message).toMatch(/^T\.litmus:4:10: `\$0x100000000` does not fit/);
    // The edges of the range are kept, and a negative hexadecimal is its value (it read as 0).
    const edge = parseLitmus(mipsTest("0:$3=-2147483648", "x=-0x10;"), "T.litmus");
    expect(edge.init.find((e) => e.loc.kind === "mem")?.value).toBe(-16);
    expect(edge.condition.prop).toMatchObject({ value: -2147483648 });
  });

  it("a shift or bit field past the 32 bits values have", () => {
    expect(syntaxError(mipsTest("0:$3=0", "", "dsll $3,$2,32")).reason).toBe(
      "the shift must be from 0 to 31 (values here are 32 bits), got 32",
    );
    expect(syntaxError(mipsTest("0:$3=0", "", "dext $3,$2,8,25")).reason).toContain(
      "the size must be from 0 to 24",
    );
  });

  it("an unclosed doc string, an unclosed string in the program", () => {
    expect(syntaxError('MIPS T "no end\n{ }\n P0 ;\n sync ;\nexists (0:$3=0)\n').message).toBe(
      'T.litmus:1:8: the doc string `"` is never closed by `"`',
    );
    expect(syntaxError('MIPS T\n{ }\n P0 ;\n sync "x ;\nexists (0:$3=0)\n').message).toBe(
      'T.litmus:4:7: the string `"` is never closed by `"`',
    );
  });

  it("a test name followed by a character names do not have", () => {
    expect(syntaxError(mipsTest("0:$3=0").replace("MIPS T", "MIPS SB😀")).message).toBe(
      "T.litmus:1:8: the test name `SB` is followed by `😀` (U+1F600); test names are letters, digits and _ / . + - [ ]",
    );
    // What herd allows after a name still reads: a doc string, a `(texname)`, blanks.
    for (const head of ['MIPS SB "doc"', "MIPS SB(sb)", "MIPS SB\t"]) {
      expect(parseLitmus(mipsTest("0:$3=0").replace("MIPS T", head), "T.litmus").name).toBe("SB");
    }
  });

  it("a program larger than the checker takes: threads, instructions, branches", () => {
    const many = Array.from({ length: 1001 }, (_, i) => `P${i}`).join(" | ");
    expect(syntaxError(`MIPS T\n{ }\n ${many} ;\nexists (0:$3=0)\n`).reason).toBe(
      "more than 1000 threads; the checker takes tests of at most 1000",
    );
    const long = `${" addu $2,$2,$3 ;\n".repeat(1001)}`;
    expect(syntaxError(`MIPS T\n{ }\n P0 ;\n${long}exists (0:$2=0)\n`).message).toBe(
      "T.litmus:1004:2: P0 has more than 1000 instructions; the checker takes at most 1000 a thread",
    );
    const branches = Array.from({ length: 17 }, (_, i) => ` beq $3,$0,L${i} ;\nL${i}: ;`).join(
      "\n",
    );
    expect(syntaxError(`MIPS T\n{ }\n P0 ;\n${branches}\nexists (0:$3=0)\n`).reason).toBe(
      "more than 16 conditional branches; each doubles the paths to check, so the checker takes at most 16 a test",
    );
  });

  it("shows invisible characters escaped, keeping the message on one line", () => {
    const e = syntaxError(mipsTest("0:$3=0\u200b"));
    expect(e.message).toBe(
      "T.litmus:5:15: bad condition: expected `)` closing the parenthesis, got `\\u{200B}`",
    );
    const nul = syntaxError(mipsTest("0:$3=0\u0000\n"));
    expect(nul.message).toContain("got `\\u{0}`");
    expect(syntaxError("MIPS\u2028T\n").message).not.toMatch(/[\u2028\n]/);
  });
});

/** One thread writing one location `n` times: one coherence order, by CoWW. */
const stores = (n: number) =>
  `MIPS W\n{ %x0=x; }\n P0 ;\n${Array.from({ length: n }, (_, i) => ` ori $2,$0,${i + 1} ;\n sw $2,0(%x0) ;`).join("\n")}\nexists ([x]=${n})\n`;

/** `t` threads each writing x and y `k` times: orders grow as (2tk)!/(k!)^2t. */
const writers = (t: number, k: number) => {
  const rows = Array.from({ length: k }, (_, i) =>
    Array.from({ length: t }, () => `MOV [${i % 2 ? "y" : "x"}],$${i + 1}`).join(" | "),
  );
  const head = Array.from({ length: t }, (_, i) => `P${i}`).join(" | ");
  return `X86 W\n{ }\n ${head} ;\n${rows.map((r) => ` ${r} ;`).join("\n")}\nexists ([x]=1)\n`;
};

function limitError(f: () => unknown): CheckLimitError {
  try {
    f();
  } catch (e) {
    if (e instanceof CheckLimitError) return e;
    throw e;
  }
  throw new Error("finished within its budget");
}

describe("the checker's budget", () => {
  it("checks stores ordered by one thread without trying the orders po forbids", () => {
    // Counted, not timed: 25 po-ordered stores allow one coherence order, so
    // a handful of candidates suffice; trying all 25! orders and filtering
    // (62 s before write orders were enumerated as linear extensions of po)
    // stops at this limit with a CheckLimitError.
    const r = checkTest(parseLitmus(stores(25), "W.litmus"), mips, {
      limits: { maxCandidates: 1_000, maxSeconds: 600 },
    });
    expect([r.positive, r.negative, r.ok]).toEqual([1, 0, true]);
  });

  it("stops at the candidate limit, at the same count every time, saying how far it got", () => {
    const test = parseLitmus(writers(4, 4), "W.litmus");
    const run = () =>
      limitError(() => checkTest(test, x86tso, { limits: { maxCandidates: 10_000 } }));
    const e = run();
    expect(e).toBeInstanceOf(MemmodelError);
    expect(e.limit).toBe("maxCandidates");
    expect(e.progress.candidates).toBe(10_001);
    expect(run().progress).toMatchObject({ candidates: 10_001, allowed: e.progress.allowed });
    expect(e.message).toMatch(
      /^W\.litmus under x86tso: checking stopped at the limit of 10000 candidate executions, after 10001 candidates in \d+\.\d s \(\d+ allowed so far\): the test is too large to check exhaustively; raise limits\.maxCandidates or make the test smaller$/,
    );
  });

  it("stops at the time limit and when the stored choices outgrow their bytes", () => {
    const test = parseLitmus(writers(4, 4), "W.litmus");
    const slow = limitError(() => checkTest(test, x86tso, { limits: { maxSeconds: 0.5 } }));
    expect(slow.limit).toBe("maxSeconds");
    expect(slow.progress.elapsedMs).toBeGreaterThanOrEqual(500);
    expect(slow.progress.elapsedMs).toBeLessThan(5_000);
    const big = limitError(() => checkTest(test, x86tso, { limits: { maxChoiceBytes: 2 ** 20 } }));
    expect(big.limit).toBe("maxChoiceBytes");
    expect(big.message).toContain("the limit of 1 MiB of stored choices");
  });

  it("reports progress as it goes, the counts growing", () => {
    const seen: CheckProgress[] = [];
    limitError(() =>
      checkTest(parseLitmus(writers(4, 4), "W.litmus"), x86tso, {
        limits: { maxCandidates: 20_000 },
        onProgress: (p) => seen.push(p),
        progressMs: 0,
      }),
    );
    expect(seen.length).toBeGreaterThan(3);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.candidates).toBeGreaterThan(seen[i - 1]!.candidates);
  });

  it("refuses a limit that is not a positive number", () => {
    const test = parseLitmus(stores(1), "W.litmus");
    expect(() => checkTest(test, sc, { limits: { maxSeconds: 0 } })).toThrow(
      "limits.maxSeconds: expected a positive number, got 0",
    );
  });
});
