/*
 * The reader and the checker on mangled input: the shared set's tests with
 * random edits (the characters and tokens of issue 14 §8 among them), random
 * text, and well-formed tests too large to check. Whatever comes in, out comes a result or a MemmodelError of
 * one line, within a time and a memory bound: never another exception (a
 * stack overflow, a TypeError), a hang, or a heap that grows without end.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  archModel,
  CheckLimitError,
  checkTest,
  MemmodelError,
  parseLitmus,
  sc,
} from "../src/index.js";
import { LITMUS_DIR } from "./shared.js";

const TESTS = ["MIPS", "X86"].flatMap((arch) =>
  readdirSync(join(LITMUS_DIR, arch)).map((f) => readFileSync(join(LITMUS_DIR, arch, f), "utf8")),
);

/** Pieces a careless or hostile edit brings: the inputs of the issue and the syntax's own. */
const PIECES = [
  "(",
  ")",
  "~",
  "=>",
  "/\\",
  "\\/",
  "-1",
  "-1:",
  "4294967296",
  "0x100000000",
  "-0x10",
  "2147483648",
  '"',
  "(*",
  "*)",
  "{",
  "}",
  "|",
  ";",
  ":",
  ",",
  "\n",
  "\u200b",
  "\u0000",
  "\u2028",
  "😀",
  "\ud800",
  "P99",
  "P0",
  "exists",
  "~exists",
  "forall",
  "locations [",
  "$40",
  "%x0",
  "[x]",
  "EAX",
  "0:$3=0",
  "MFENCE",
  "sync",
  "beq $2,$0,L",
  "L:",
  "(".repeat(5000),
  "~".repeat(5000),
];

/** Whole entries, inserted where they belong: after `exists (` or the init section's `{`. */
const ENTRIES = [
  "-1:$3=0 /\\ ",
  "-1:EAX=0 /\\ ",
  "0:$3=4294967296 /\\ ",
  "0:EAX=-0x1 \\/ ",
  "9:$2=1 /\\ ",
  "~~~(0:$2=1) /\\ ",
  `${"~".repeat(5000)}0:$2=1 /\\ `,
  "-1:$5=7; ",
  "-1:EAX=7; ",
  "x=0x100000000; ",
  "0:$2=x; ",
];
const ANCHORS = ["exists (", "{"];

type Edit = {
  at: number;
  kind: "insert" | "delete" | "repeat" | "entry";
  piece: string;
  length: number;
};

const edit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom("insert", "delete", "repeat", "entry"),
  piece: fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: "binary", maxLength: 4 })),
  length: fc.integer({ min: 1, max: 40 }),
}) as fc.Arbitrary<Edit>;

function apply(text: string, e: Edit): string {
  if (e.kind === "entry") {
    const anchor = ANCHORS[e.at % ANCHORS.length]!;
    const i = text.indexOf(anchor);
    if (i < 0) return text;
    const at = i + anchor.length;
    return text.slice(0, at) + ENTRIES[e.length % ENTRIES.length] + text.slice(at);
  }
  const at = e.at % (text.length + 1);
  if (e.kind === "insert") return text.slice(0, at) + e.piece + text.slice(at);
  if (e.kind === "delete") return text.slice(0, at) + text.slice(at + e.length);
  const part = text.slice(at, at + e.length);
  return text.slice(0, at) + part.repeat(1 + (e.length % 5)) + text.slice(at);
}

/** A well-formed X86 test of up to 6 threads of 6 accesses: many are far too large to check. */
const large = fc
  .array(
    fc.array(
      fc.constantFrom(
        "MOV [x],$1",
        "MOV [y],$2",
        "MOV EAX,[x]",
        "MOV EBX,[y]",
        "MFENCE",
        "XCHG [x],ECX",
      ),
      { minLength: 1, maxLength: 6 },
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((threads) => {
    const rows = Math.max(...threads.map((t) => t.length));
    const row = (i: number) => threads.map((t) => t[i] ?? "").join(" | ");
    const body = Array.from({ length: rows }, (_, i) => ` ${row(i)} ;`).join("\n");
    const head = threads.map((_, i) => `P${i}`).join(" | ");
    return `X86 L\n{ }\n ${head} ;\n${body}\nexists ([x]=1 /\\ 0:EAX=0)\n`;
  });

const mangled = fc.oneof(
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...TESTS), fc.array(edit, { minLength: 1, maxLength: 6 }))
      .map(([text, edits]) => edits.reduce(apply, text)),
    weight: 4,
  },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom(...TESTS),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 }),
      )
      .map(([text, at]) =>
        at.reduce((t, [a, i]) => apply(t, { at: a, kind: "entry", piece: "", length: i }), text),
      ),
    weight: 2,
  },
  { arbitrary: large, weight: 1 },
  {
    arbitrary: fc.string({ unit: "binary", maxLength: 200 }).map((s) => `MIPS F\n{ }\n P0 ;\n${s}`),
    weight: 1,
  },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 300 }), weight: 1 },
);

/** A small budget: the bound under test is the checker's, not the machine's patience. */
const LIMITS = { maxCandidates: 1_000, maxSeconds: 3, maxChoiceBytes: 32 * 2 ** 20 };
const TIME_BOUND_MS = 6_000;
const HEAP_BOUND_BYTES = 1024 * 2 ** 20;

describe("the reader and checker on mangled tests", () => {
  it("give a result or a one-line MemmodelError, within a time and memory bound", () => {
    let results = 0;
    let errors = 0;
    let limited = 0;
    fc.assert(
      fc.property(mangled, (text) => {
        const t0 = performance.now();
        try {
          const test = parseLitmus(text, "F.litmus");
          for (const model of [archModel(test.arch), sc]) {
            const r = checkTest(test, model, { limits: LIMITS });
            expect(r.positive + r.negative).toBeGreaterThanOrEqual(0);
          }
          results++;
        } catch (e) {
          if (!(e instanceof MemmodelError)) throw e;
          if (e instanceof CheckLimitError) limited++;
          expect(e.message).not.toMatch(/[\n\r\u2028\u2029]/);
          expect(e.message).toMatch(/^F\.litmus/);
          errors++;
        }
        expect(performance.now() - t0).toBeLessThan(TIME_BOUND_MS);
        expect(process.memoryUsage().heapUsed).toBeLessThan(HEAP_BOUND_BYTES);
      }),
      { numRuns: 600, seed: 14 },
    );
    // Every outcome is exercised: results, errors of reading, and budgets run out.
    expect(results).toBeGreaterThan(50);
    expect(errors).toBeGreaterThan(200);
    expect(limited).toBeGreaterThan(20);
  }, 120_000);
});
