import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TCP_SYSCTLS } from "../src/index.js";

describe("the README's presets table", () => {
  it("lists every sysctl with both presets' values and sources, as tcp_sysctl.ts has them", () => {
    const readme = readFileSync(join(import.meta.dirname, "../README.md"), "utf8");
    const rows = [
      ...readme.matchAll(/^\| `([a-z0-9_.]+)` \| (.+) \| (\d+) \| (.+) \| (\d+) \| (.+) \|$/gm),
    ].map((m) => [m[1], m[2], Number(m[3]), m[4], Number(m[5]), m[6]]);
    expect(rows).toEqual(
      Object.entries(TCP_SYSCTLS).map(([n, d]) => [
        n,
        d.doc,
        d.netbsd[0],
        d.netbsd[1],
        d.freebsd[0],
        d.freebsd[1],
      ]),
    );
  });
});
