import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { smpnet } from "./cli.js";

const SUITE = resolve(import.meta.dirname, "../../../../shared/tcp-testsuite");
const PASSING = join(SUITE, "snd-syn/snd-syn-with-default-options-ipv4.pkt");
const NOOPT = join(SUITE, "snd-syn/snd-syn-without-options-ipv4.pkt");
const tmp = mkdtempSync(join(tmpdir(), "smpnet-packetdrill-"));
const empty = mkdtempSync(join(tmp, "empty-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the script `from` named `name` with `what` replaced by `by`. */
function rewritten(from: string, name: string, what: string, by: string): string {
  const file = join(tmp, name);
  const text = readFileSync(from, "utf8");
  expect(text).toContain(what);
  writeFileSync(file, text.replace(what, by));
  return file;
}

/** The passing script with its SYN expected to offer another window: a script that fails. */
const failing = () =>
  rewritten(
    PASSING,
    "wrong-window.pkt",
    "> S  0:0(0) <mss 1460",
    "> S  0:0(0) win 32768 <mss 1460",
  );

/** The TCP_NOOPT script asking for TCP_MD5SIG instead, an option the model lacks. */
const unsupported = () => rewritten(NOOPT, "md5sig.pkt", "TCP_NOOPT, [1]", "TCP_MD5SIG, [1]");

const lines = (s: string) =>
  s
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("smpnet packetdrill", () => {
  it("exits 0 when every script passes, with one JSON object per script", () => {
    const r = smpnet("packetdrill", PASSING, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([{ script: PASSING, result: "pass", line: 0, message: "" }]);
  });

  it("exits 1 when one fails, naming its line, what was expected and what was sent", () => {
    const file = failing();
    const r = smpnet("packetdrill", PASSING, file, "--json");
    expect(r.code).toBe(1);
    const [pass, fail] = lines(r.stdout);
    expect(pass).toMatchObject({ result: "pass" });
    expect(fail).toEqual({
      script: file,
      result: "fail",
      line: 55,
      message:
        "expected S 0:0(0) win 32768; sent S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 4 ecr 0> (window differs)",
    });
    const text = smpnet("packetdrill", file);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`fail ${file}:55: expected S 0:0(0) win 32768`);
  });

  it("reports a construct the model lacks as unsupported, never as a pass", () => {
    const r = smpnet("packetdrill", unsupported(), "--json");
    expect(r.code).toBe(1);
    expect(lines(r.stdout)[0]).toMatchObject({
      result: "unsupported",
      line: 49,
      message: "TCP_MD5SIG is not modelled",
    });
  });

  it("searches a folder for its .pkt scripts", () => {
    const r = smpnet("packetdrill", join(SUITE, "snippets"));
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(4);
  });

  for (const [args, message] of [
    [
      ["--defaults", "linux", PASSING],
      'smpnet: --defaults: expected netbsd or freebsd, got "linux"',
    ],
    [[join(tmp, "missing.pkt")], `smpnet: ${join(tmp, "missing.pkt")}: no such file or folder`],
    [[empty, "--json"], `smpnet: no .pkt scripts in ${empty}`],
    [[], "smpnet: missing required argument 'paths'"],
  ] as const) {
    it(`exits 2 on bad input: ${message}`, () => {
      const r = smpnet("packetdrill", ...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.startsWith(message)).toBe(true);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });
  }

  it("exits 2 on a script whose host cannot be built, naming the file", () => {
    const file = join(tmp, "mtu.pkt");
    writeFileSync(file, "--mtu=40\n0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
    const r = smpnet("packetdrill", file);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `smpnet: ${file}: wire.mtuBytes: expected an MTU of at least 68 bytes (RFC 791)\n`,
    );
    rmSync(file);
  });

  it("exits 2 on a script that does not parse, naming the file and the line", () => {
    const file = join(tmp, "bad.pkt");
    writeFileSync(file, "--ip_version=ipv4\n0.00 socket(..., SOCK_STREAM) =\n");
    const r = smpnet("packetdrill", file);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `smpnet: ${file}: line 2: bad system call "socket(..., SOCK_STREAM) ="; write name(args) = result [ERRNO] [(comment)]\n`,
    );
    rmSync(file);
  });
});
