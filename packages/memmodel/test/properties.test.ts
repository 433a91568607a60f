/*
 * Cross-checks of the axiomatic models against operational machines, and of
 * the models against each other, on random small programs (generate.ts).
 * X86 programs are checked with po ordering the read and write of one
 * instruction (`po: "events"`), which is what the machines do; herd7's po
 * leaves them unordered (see execution.ts), a difference the shared-set
 * agreement tests pin down separately (SWAP+xchgs).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CheckResult,
  checkTest,
  mips,
  parseLitmus,
  sc,
  stateText,
  x86tso,
} from "../src/index.js";
import { commonSteps, mipsLitmus, mipsSteps, programs, x86Litmus, x86Steps } from "./generate.js";
import { operationalOutcomes } from "./operational.js";

const RUNS = 400;
/** Each property runs for seconds on a 2-core machine: far more than vitest's default. */
const TIMEOUT_MS = 120_000;

const outcomes = (r: CheckResult) => new Set(r.states.map((s) => s.join(";")));
const sorted = (s: Set<string>) => [...s].sort();

describe("axiomatic sc equals the interleaving machine", () => {
  it(
    "on MIPS programs with ll/sc, dependencies and branches",
    () => {
      fc.assert(
        fc.property(programs(mipsSteps, 3, 3), (p) => {
          const test = parseLitmus(mipsLitmus(p), "random.litmus");
          const r = checkTest(test, sc, { observe: "all" });
          expect(sorted(outcomes(r))).toEqual(sorted(operationalOutcomes(test, "sc", r.observed)));
        }),
        { numRuns: RUNS, seed: 4 },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "on X86 programs with XCHG, LOCK INC and plain INC",
    () => {
      fc.assert(
        fc.property(programs(x86Steps, 3, 3), (p) => {
          const test = parseLitmus(x86Litmus(p), "random.litmus");
          const r = checkTest(test, sc, { observe: "all", po: "events" });
          expect(sorted(outcomes(r))).toEqual(sorted(operationalOutcomes(test, "sc", r.observed)));
        }),
        { numRuns: RUNS, seed: 5 },
      );
    },
    TIMEOUT_MS,
  );
});

describe("axiomatic x86tso equals the store-buffer machine", () => {
  it(
    "on X86 programs with MFENCE, XCHG, LOCK INC and plain INC",
    () => {
      fc.assert(
        fc.property(programs(x86Steps, 3, 4), (p) => {
          const test = parseLitmus(x86Litmus(p), "random.litmus");
          const r = checkTest(test, x86tso, { observe: "all", po: "events" });
          expect(sorted(outcomes(r))).toEqual(sorted(operationalOutcomes(test, "tso", r.observed)));
        }),
        { numRuns: RUNS, seed: 6 },
      );
    },
    TIMEOUT_MS,
  );
});

describe("every outcome sc allows x86tso allows, and every one x86tso allows mips allows", () => {
  it(
    "on programs of loads, stores and full fences written for both architectures",
    () => {
      fc.assert(
        fc.property(programs(commonSteps, 4, 3), (p) => {
          const onX86 = parseLitmus(x86Litmus(p), "random.litmus");
          const onMips = parseLitmus(mipsLitmus(p), "random.litmus");
          const inSc = outcomes(checkTest(onX86, sc));
          const inTso = outcomes(checkTest(onX86, x86tso));
          const inMips = outcomes(checkTest(onMips, mips));
          expect([...inSc].filter((o) => !inTso.has(o))).toEqual([]);
          expect([...inTso].filter((o) => !inMips.has(o))).toEqual([]);
        }),
        { numRuns: RUNS, seed: 7 },
      );
    },
    TIMEOUT_MS,
  );
});

it("the inclusion is strict somewhere: SB is allowed by x86tso, not by sc; MP by mips, not by x86tso", () => {
  const sb = [
    [
      { k: "store", loc: "x", v: 1 },
      { k: "load", loc: "y" },
    ],
    [
      { k: "store", loc: "y", v: 1 },
      { k: "load", loc: "x" },
    ],
  ] as const;
  const mp = [
    [
      { k: "store", loc: "x", v: 1 },
      { k: "store", loc: "y", v: 1 },
    ],
    [
      { k: "load", loc: "y" },
      { k: "load", loc: "x" },
    ],
  ] as const;
  const state = (r: CheckResult, values: string) =>
    r.states.some((s) => stateText(r.observed, s) === values);
  const sbX86 = parseLitmus(x86Litmus(sb), "SB.litmus");
  expect(state(checkTest(sbX86, x86tso), "0:EAX=0; 1:EAX=0; [x]=1; [y]=1;")).toBe(true);
  expect(state(checkTest(sbX86, sc), "0:EAX=0; 1:EAX=0; [x]=1; [y]=1;")).toBe(false);
  expect(
    state(
      checkTest(parseLitmus(mipsLitmus(mp), "MP.litmus"), mips),
      "1:$2=1; 1:$3=0; [x]=1; [y]=1;",
    ),
  ).toBe(true);
  expect(
    state(
      checkTest(parseLitmus(x86Litmus(mp), "MP.litmus"), x86tso),
      "1:EAX=1; 1:EBX=0; [x]=1; [y]=1;",
    ),
  ).toBe(false);
});
