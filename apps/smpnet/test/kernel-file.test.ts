/*
 * Kernel files: what a good one assembles to, the published JSON Schema in
 * step with the validator, and every bad file refused with one line per
 * problem that names the file and the field; fuzzed, never a stack trace.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimError } from "@smpnet/sim";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { UsageError } from "../src/errors.js";
import { assembleKernel } from "../src/kernel-file/assemble.js";
import { kernelJsonSchema } from "../src/kernel-file/json-schema.js";
import { checkKernelSpec, readKernelFile } from "../src/kernel-file/read.js";

const scratch = mkdtempSync(join(tmpdir(), "smpnet-kernel-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(scratch, name);
  writeFileSync(p, text);
  return p;
}

/** The message of what `f` throws, asserting it is a user error, not a bug. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e instanceof UsageError || e instanceof SimError, String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

describe("a kernel file", () => {
  it("in YAML assembles the kernel it describes", () => {
    const p = file(
      "k.yaml",
      "hw: er4\ncpus: 2\npolicy: giant\nsoftint: threaded\nwire:\n  delayNs: 50000\n  lossRate: 0.01\n",
    );
    const spec = readKernelFile(p);
    expect(spec).toMatchObject({ hw: "er4", cpus: 2, policy: "giant", softint: "threaded" });
    const k = assembleKernel(spec, 7);
    expect(k.dut.host.cpus).toHaveLength(2);
    expect(k.toPeer.cfg.delayNs).toBe(50000);
    expect(k.toPeer.cfg.lossRate).toBe(0.01);
  });

  it("in JSON reads the same as in YAML, defaults filled in", () => {
    const y = readKernelFile(file("a.yaml", "policy: giant\n"));
    const j = readKernelFile(file("a.json", '{"policy":"giant"}'));
    expect(j).toEqual(y);
    expect(y).toMatchObject({ hw: "er4", softint: "netbsd" });
  });

  it("is described by the published JSON Schema, made from the validator", () => {
    const published = JSON.parse(
      readFileSync(join(import.meta.dirname, "../schema/kernel.schema.json"), "utf8"),
    );
    const made = kernelJsonSchema();
    if (process.env.UPDATE_SCHEMA === "1") {
      writeFileSync(
        join(import.meta.dirname, "../schema/kernel.schema.json"),
        `${JSON.stringify(made, null, 2)}\n`,
      );
    }
    // Out of step? UPDATE_SCHEMA=1 npx vitest run test/kernel-file.test.ts
    expect(published).toEqual(made);
  });
});

describe("a bad kernel file", () => {
  const cases: [string, string, RegExp][] = [
    ["cpus.yaml", "cpus: 0\n", /cpus.yaml: kernel\.cpus: expected at least 1/],
    ["hw.yaml", "hw: sparc\n", /hw.yaml: kernel\.hw: expected one of er4, cn78xx, x86/],
    [
      "field.yaml",
      "policy: giant\ncpu: 2\n",
      /field.yaml: kernel\.cpu: unknown field; remove it or check its spelling/,
    ],
    ["syntax.yaml", "policy: [giant\n", /syntax.yaml:\d+:\d+: not valid YAML/],
    ["dup.yaml", "cpus: 1\ncpus: 2\n", /dup.yaml:\d+:\d+: not valid YAML: Map keys must be unique/],
    ["syntax.json", '{"policy":', /syntax.json: not valid JSON/],
    ["kernel.txt", "policy: giant\n", /kernel.txt: expected a .yaml, .yml or .json file/],
    ["list.yaml", "- giant\n", /list.yaml: kernel: /],
    [
      "loss.yaml",
      "wire:\n  lossRate: 2\n",
      /loss.yaml: kernel\.wire\.lossRate: expected a probability from 0 to 1/,
    ],
    [
      "rec.yaml",
      "reclamation: rcu\n",
      /rec.yaml: kernel\.reclamation: expected one of pserialize, epoch, smr, smr-lazy/,
    ],
  ];
  for (const [name, text, want] of cases) {
    it(`${name}: ${JSON.stringify(text)}`, () => {
      expect(refusal(() => readKernelFile(file(name, text)))).toMatch(want);
    });
  }

  it("names what the packages check when the kernel is assembled", () => {
    const spec = (text: string) => readKernelFile(file("asm.yaml", text));
    expect(refusal(() => assembleKernel(spec("cpus: 5\n"), 1))).toMatch(
      /cpus: expected a whole number from 1 to 4 \(the er4 has 4\)/,
    );
    expect(refusal(() => assembleKernel(spec("policy: solock-v0\n"), 1))).toMatch(
      /policy: no policy named "solock-v0"/,
    );
    expect(refusal(() => assembleKernel(spec("scale:\n  costs.nope: 2\n"), 1))).toMatch(
      /^kernel: scale\.costs\.nope: not a modelled constant; give one of costs\.cacheHitCycles, /,
    );
  });

  it("scales the named estimates of the hardware and nothing else", () => {
    const spec = readKernelFile(
      file("scaled.yaml", "scale:\n  costs.fenceCycles.sync: 0.5\n  netCosts.tcpInputCycles: 2\n"),
    );
    const k = assembleKernel(spec, 1);
    const plain = assembleKernel(readKernelFile(file("plain.yaml", "policy: giant\n")), 1);
    const costs = (x: typeof k) => x.dut.host.profile.costs;
    expect(costs(k).fenceCycles.sync).toBe((costs(plain).fenceCycles.sync ?? 0) / 2);
    expect(costs(k).fenceCycles.syncw).toBe(costs(plain).fenceCycles.syncw);
    expect(k.dut.costs.tcpInputCycles).toBe(2 * plain.dut.costs.tcpInputCycles);
    expect(k.dut.costs.tcpOutputCycles).toBe(plain.dut.costs.tcpOutputCycles);
  });

  it("a missing file or a folder is refused by path", () => {
    expect(refusal(() => readKernelFile(join(scratch, "none.yaml")))).toMatch(
      /none.yaml: no such file or folder/,
    );
    expect(refusal(() => readKernelFile(scratch))).toMatch(
      /not a regular file; give a kernel file/,
    );
  });

  it("fuzzed: any data is a kernel or one user error per line, never a crash", () => {
    const value = fc.oneof(
      fc.constantFrom(
        "er4",
        "x86",
        "giant",
        "netbsd",
        "epoch",
        0,
        1,
        4,
        -1,
        1.5,
        true,
        null,
        "",
        [],
        {},
      ),
      fc.anything({ maxDepth: 2 }),
    );
    const key = fc.constantFrom(
      "hw",
      "cpus",
      "policy",
      "reclamation",
      "softint",
      "hz",
      "wire",
      "tcp",
      "name",
      "bogus",
    );
    fc.assert(
      fc.property(fc.oneof(fc.dictionary(key, value), fc.anything({ maxDepth: 2 })), (data) => {
        try {
          const spec = checkKernelSpec(data, "fuzz.yaml");
          assembleKernel(spec, 1);
        } catch (e) {
          expect(e instanceof UsageError || e instanceof SimError, String(e)).toBe(true);
          for (const line of (e as Error).message.split("\n"))
            expect(line.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("fuzzed: mutated YAML text is read or refused by line, never a crash", () => {
    const good = stringify({ hw: "er4", cpus: 2, policy: "giant", wire: { delayNs: 1000 } });
    fc.assert(
      fc.property(fc.nat(good.length), fc.string({ maxLength: 4 }), (at, ins) => {
        const p = file("m.yaml", good.slice(0, at) + ins + good.slice(at + 1));
        try {
          readKernelFile(p);
        } catch (e) {
          expect(e instanceof UsageError || e instanceof SimError, String(e)).toBe(true);
        }
      }),
      // [24, "*"]: an alias to no anchor, which the parser accepts and toJS throws on.
      { numRuns: 300, examples: [[24, "*"]] },
    );
  });
});
