/*
 * The flag parser, fuzzed: random command lines from the commands, their
 * options and the values a new user mistypes. Each run ends within a time
 * and a memory bound with a result (exit 0) or one line on stderr and a
 * non-zero exit; never a stack trace, never killed by the bound.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { smpnetWith } from "./cli.js";

const LITMUS = join(import.meta.dirname, "../../../../shared/litmus");
const scratch = mkdtempSync(join(tmpdir(), "smpnet-fuzz-"));
const fifo = join(scratch, "f.litmus");
spawnSync("mkfifo", [fifo]);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const WORDS = [
  "litmus",
  "verify",
  "bogus",
  "help",
  "--seed",
  "--seconds",
  "run",
  "compare",
  "sweep",
  "merge",
  "--json",
  "--model",
  "--pattern",
  "--max-candidates",
  "--max-seconds",
  "--max-memory",
  "--",
  "-x",
  "--bo\u200bgus",
];

/** Values, mistyped and not. */
const VALUES = [
  "0",
  "1",
  "3",
  "-1",
  "abc",
  "1e3",
  "0x10",
  "",
  " ",
  "4294967296",
  "99999999999999999999",
  "60001",
  "\u200b",
  "mips",
  "all",
  "arm",
  "mp",
  join(LITMUS, "X86/SB.litmus"),
  join(LITMUS, "MIPS"),
  "/dev/null",
  "/dev/zero",
  fifo,
  scratch,
  "nope.litmus",
];

/** Each run's bounds: wall time, and the heap of the process. */
const TIMEOUT_MS = 20_000;
const HEAP_MB = 512;

/**
 * Whether `args` may start the seed's experiment (a minute of simulation):
 * only the experiment's own options, with values. Those are left to the
 * tests of the experiment; everything else must answer within the bound.
 */
function mayRunExperiment(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--json") continue;
    if (["--seed", "--seconds", "--out"].includes(args[i]!) && i + 1 < args.length) {
      i++;
      continue;
    }
    return false;
  }
  return true;
}

describe("smpnet on random command lines", () => {
  it("answers or refuses in one line with a non-zero exit, within its time and memory", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.constantFrom(...WORDS, ...VALUES), { minLength: 1, maxLength: 5 }),
          fc
            .tuple(
              fc.constantFrom(...VALUES),
              fc.array(fc.constantFrom(...WORDS, ...VALUES), { maxLength: 3 }),
            )
            .map(([path, rest]) => ["litmus", path, ...rest]),
        ),
        (args) => {
          fc.pre(!mayRunExperiment(args));
          const r = smpnetWith(
            {
              timeout: TIMEOUT_MS,
              env: { ...process.env, NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` },
            },
            ...args,
          );
          expect(r.code, `killed: smpnet ${args.join(" ")}`).not.toBe(-1);
          expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
          if (r.code === 0) return;
          expect(r.stderr).toMatch(/^smpnet: [^\n]+\n$/);
          expect(r.stdout).toBe("");
        },
      ),
      {
        numRuns: 24,
        seed: 14,
        // The command lines of issue 14 §8 first, then random ones.
        examples: [
          [["litmus", fifo]],
          [["litmus", "/dev/zero"]],
          [["verify", "--seconds", "abc"]],
          [["--seconds", "3", "verify"]],
          [["bogus"]],
          [["--seed", "4294967296"]],
          [["--seconds", "1000000000000"]],
        ],
      },
    );
  }, 300_000);
});
