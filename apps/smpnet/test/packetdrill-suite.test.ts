/*
 * FreeBSD's packetdrill suite (../shared/tcp-testsuite, beside the repository)
 * under --defaults freebsd: every script passes except those @smpnet/netinet's
 * README lists as exceptions, and each of those still does not pass (so the
 * list stays true). A TCP that accepts RSTs as RFC 793 does, whatever
 * net.inet.tcp.insecure_rst says, fails a named script at the right line.
 */
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { type KernelFactory, parseScript, runScript } from "@smpnet/netinet";
import { describe, expect, it } from "vitest";
import { packetdrillKernel, runScriptFile, scriptFiles } from "../src/commands/packetdrill.js";

const SUITE = resolve(import.meta.dirname, "../../../../shared/tcp-testsuite");
const README = resolve(import.meta.dirname, "../../../packages/netinet/README.md");
/** The project's own scripts, in a folder per preset they are written for. */
const OWN = resolve(import.meta.dirname, "../../../packages/netinet/test/packetdrill");

/** The scripts the README's "Exceptions" table lists. */
function exceptions(): string[] {
  const text = readFileSync(README, "utf8");
  const section = text.split("### Exceptions")[1]?.split("\n## ")[0] ?? "";
  return [...section.matchAll(/^\| `([^`]+\.pkt)` \|/gm)].map((m) => m[1]!);
}

describe("FreeBSD's tcp-testsuite under --defaults freebsd", () => {
  const files = scriptFiles([SUITE]);
  const listed = exceptions();

  it("holds the 80 scripts, at most one in ten listed as exceptions", () => {
    expect(files.length).toBe(80);
    expect(listed.length).toBeLessThanOrEqual(8);
    for (const s of listed) expect(files).toContain(join(SUITE, s));
  });

  it("every script passes but the README's exceptions, which do not", () => {
    const outcomes = files.map((f) => ({
      script: relative(SUITE, f),
      ...runScriptFile(f, "freebsd"),
    }));
    const notPassing = outcomes.filter((o) => o.result !== "pass");
    expect(
      notPassing
        .map((o) => `${o.script}: ${o.message}`)
        .filter((s) => !listed.some((l) => s.startsWith(l))),
    ).toEqual([]);
    expect(notPassing.map((o) => o.script).sort()).toEqual([...listed].sort());
  });

  it("a TCP that takes any in-window RST (RFC 793) fails the RFC 5961 script at its challenge ACK", () => {
    const name =
      "state-event-engine/rcv-rst-syn-rcvd/rcv-rst-syn-rcvd-via-syn-sent-right-edge-secure-ipv4.pkt";
    const script = parseScript(readFileSync(join(SUITE, name), "utf8"));
    const broken: KernelFactory = (o) => {
      const k = packetdrillKernel(o);
      // the script's `sysctl -w net.inet.tcp.insecure_rst=0` no longer takes
      Object.defineProperty(k.dut.sysctl, "net.inet.tcp.insecure_rst", {
        get: () => 1,
        set: () => {},
      });
      return k;
    };
    expect(runScript(script, packetdrillKernel, "freebsd").result).toBe("pass");
    const o = runScript(script, broken, "freebsd");
    expect(o).toMatchObject({ result: "fail", line: 60 });
    expect(o.message).toContain("expected . 1:1(0) ack 1 win 65535");
  });
});

describe("the project's own scripts, each under the preset its folder names", () => {
  for (const preset of ["netbsd", "freebsd"] as const) {
    for (const file of scriptFiles([join(OWN, preset)])) {
      it(`${preset}/${relative(join(OWN, preset), file)} passes`, () => {
        expect(runScriptFile(file, preset)).toEqual({ result: "pass", line: 0, message: "" });
      });
    }
  }
});
