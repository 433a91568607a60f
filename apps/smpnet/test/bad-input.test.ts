/*
 * The bad and odd inputs of issue 14 §8, as a new user gives them to the
 * command: each ends in one line on stderr naming the problem and the fix,
 * and a non-zero exit, soon; never a stack trace, a hang or a silent default.
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Run, smpnet, smpnetWith } from "./cli.js";

const LITMUS = join(import.meta.dirname, "../../../../shared/litmus");
const SB = join(LITMUS, "X86/SB.litmus");
const scratch = mkdtempSync(join(tmpdir(), "smpnet-bad-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Refused: exit 2, nothing on stdout, and stderr exactly `smpnet: <message>`. */
function refused(r: Run, message: string | RegExp): void {
  expect(r.stdout).toBe("");
  expect(r.stderr.split("\n")).toHaveLength(2);
  if (typeof message === "string") expect(r.stderr).toBe(`smpnet: ${message}\n`);
  else expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
}

/** `t` X86 threads each writing `k` times to the locations `locs`, in turn. */
function writers(t: number, k: number, locs = ["x", "y"]): string {
  const rows = Array.from({ length: k }, (_, i) =>
    Array.from({ length: t }, () => `MOV [${locs[i % locs.length]}],$${i + 1}`).join(" | "),
  );
  const head = Array.from({ length: t }, (_, i) => `P${i}`).join(" | ");
  return `X86 W\n{ }\n ${head} ;\n${rows.map((r) => ` ${r} ;`).join("\n")}\nexists ([x]=1)\n`;
}

describe("options belong to the command that uses them", () => {
  it("refuses the experiment's options given to a subcommand, before or after its name", () => {
    refused(smpnet("verify", "--seconds", "abc"), "unknown option '--seconds' (see smpnet --help)");
    refused(smpnet("litmus", SB, "--seed", "3"), "unknown option '--seed' (see smpnet --help)");
    refused(
      smpnet("--seconds", "5", "verify"),
      "--seconds: an option of smpnet without a command, not of `smpnet verify`",
    );
    refused(
      smpnet("--json", "litmus", SB),
      "--json: an option of smpnet without a command, not of `smpnet litmus` (put it after the command: smpnet litmus --json)",
    );
  });

  it("says a word that is not a command is not one, and lists the commands", () => {
    refused(
      smpnet("bogus"),
      "`bogus` is not a command; the commands are claims, compare, litmus, packetdrill, report, run, sweep, merge, verify, iperf3, netperf (smpnet alone runs the seed's experiment)",
    );
  });

  it("takes seeds the generator takes (32 bits) and refuses the rest instead of cutting them", () => {
    refused(
      smpnet("--seed", "4294967296", "--seconds", "1"),
      '--seed: expected an integer from 0 to 4294967295 (the generator\'s seed is 32 bits), got "4294967296"',
    );
    refused(
      smpnet("run", "--seed", "-1", "--", "iperf3", "-c", "dut"),
      '--seed: expected an integer from 0 to 4294967295 (the generator\'s seed is 32 bits), got "-1"',
    );
  });

  it("bounds --seconds instead of running for years", () => {
    refused(
      smpnetWith({ timeout: 15_000 }, "--seconds", "1000000000000"),
      '--seconds: expected an integer from 1 to 60 (a simulated second takes a few wall seconds), got "1000000000000"',
    );
  });

  it("shows invisible characters escaped", () => {
    refused(
      smpnet("verify", "--pattern", "m\u200bp\u0001"),
      '--pattern: expected one of smr, epoch, pserialize, mp, seqlock, got "m\\u{200B}p\\u{1}"',
    );
    refused(
      smpnet("--js\u200bon"),
      "unknown option '--js\\u{200B}on' (Did you mean --json?) (see smpnet --help)",
    );
  });
});

describe("files that are not .litmus files", () => {
  const quick = { timeout: 15_000 };

  it("refuses a FIFO, a device and a link to one, at once", () => {
    const fifo = join(scratch, "x.litmus");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    refused(
      smpnetWith(quick, "litmus", fifo),
      `${fifo}: a FIFO; give a .litmus file or a folder of them`,
    );
    const zero = join(scratch, "zero.litmus");
    symlinkSync("/dev/zero", zero);
    refused(
      smpnetWith(quick, "litmus", zero),
      `${zero}: a device; give a .litmus file or a folder of them`,
    );
  });

  it("refuses a file larger than a test could be", () => {
    const big = join(scratch, "big.litmus");
    writeFileSync(big, `X86 Big\n{ }\n(*${" ".repeat(1 << 20)}*)\n`);
    refused(
      smpnet("litmus", big),
      `${big}: larger than 1048576 bytes; a litmus test is a few lines (is this the right file?)`,
    );
  });

  it("tells a loop of symbolic links from a missing file", () => {
    const a = join(scratch, "loop-a");
    const b = join(scratch, "loop-b");
    symlinkSync(b, a);
    symlinkSync(a, b);
    refused(
      smpnet("litmus", a),
      `${a}: a loop of symbolic links (a link that leads back to itself)`,
    );
    refused(
      smpnet("litmus", join(scratch, "nope.litmus")),
      `${join(scratch, "nope.litmus")}: no such file or folder`,
    );
  });

  it("follows a linked folder, each real folder once", () => {
    const top = join(scratch, "top");
    const other = join(scratch, "other");
    mkdirSync(top);
    mkdirSync(other);
    writeFileSync(join(other, "SB.litmus"), writers(2, 2).replace("W", "SB"));
    symlinkSync(other, join(top, "linked"));
    symlinkSync(top, join(other, "up"));
    const r = smpnet("litmus", top, "--json");
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).file),
    ).toEqual([join(top, "linked/SB.litmus")]);
  });
});

describe("output that cannot be written", () => {
  it("ends with the reason and exit 74, without a stack trace", () => {
    const full = openSync("/dev/full", "w");
    try {
      const r = smpnetWith({ stdio: ["ignore", full, "pipe"] }, "verify", "--pattern", "mp");
      expect(r.stderr).toBe("smpnet: cannot write the output: no space left on device (ENOSPC)\n");
      expect(r.code).toBe(74);
    } finally {
      closeSync(full);
    }
  });
});

describe("tests the checker cannot finish or read", () => {
  it("stops at the candidate limit, naming the option that raises it", () => {
    const f = join(scratch, "W.litmus");
    writeFileSync(f, writers(4, 4));
    refused(
      smpnet("litmus", f, "--max-candidates", "2000"),
      new RegExp(
        `^smpnet: ${f} under x86tso: checking stopped at the limit of 2000 candidate executions, after 2001 candidates in \\d+\\.\\d s \\(\\d+ allowed so far\\): the test is too large to check exhaustively; make the test smaller, or raise --max-candidates \\(now 2000\\)\\n$`,
      ),
    );
  });

  it("prints progress on stderr during a long check, then stops at the time limit", () => {
    // One location: its write orders are streamed, so time, not memory, runs out.
    const f = join(scratch, "W8.litmus");
    writeFileSync(f, writers(8, 8, ["x"]));
    const r = smpnetWith({ timeout: 20_000 }, "litmus", f, "--max-seconds", "3");
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(`^smpnet: checking ${f} under x86tso: \\d+ candidates, \\d+ allowed, \\d+ s$`),
    );
    expect(lines.at(-1)).toMatch(/the limit of 3 s, .*raise --max-seconds \(now 3\)$/);
  });

  it("reads a condition nested thousands deep as an error, not a stack overflow", () => {
    const f = join(scratch, "Deep.litmus");
    writeFileSync(
      f,
      `X86 Deep\n{ }\n P0 ;\n MOV EAX,[x] ;\nexists ${"(".repeat(5000)}0:EAX=0${")".repeat(5000)}\n`,
    );
    refused(
      smpnet("litmus", f),
      `${f}:5:208: bad condition: the proposition nests more than 200 deep (parentheses, \`~\`, \`=>\`); write it flatter`,
    );
  });

  it("refuses a bad budget option", () => {
    refused(
      smpnet("litmus", SB, "--max-seconds", "0"),
      '--max-seconds: expected an integer from 1 to 1099511627776, got "0"',
    );
  });
});
