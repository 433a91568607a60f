/*
 * The README's tables of numbers must be the numbers the package ships: every
 * constant has a row, and every row shows the value in the code.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nicConstants, profileConstants } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { x86, x86NetCosts, x86Nic } from "../src/index.js";

const readme = readFileSync(join(import.meta.dirname, "../README.md"), "utf8");

const shipped: Record<string, { value: object; constants: string[] }> = {
  x86: {
    value: x86,
    constants: [
      ...profileConstants(x86),
      "membarOps.acquire",
      "membarOps.release",
      "membarOps.sync",
    ],
  },
  x86Nic: { value: x86Nic, constants: nicConstants(x86Nic) },
  x86NetCosts: { value: x86NetCosts, constants: Object.keys(x86NetCosts) },
};

/** How a table cell shows a constant. */
function shown(x: unknown): string {
  if (Array.isArray(x)) return x.length === 0 ? "none" : x.join(", ");
  return String(x);
}

function at(o: object, path: string): unknown {
  return path.split(".").reduce<unknown>((x, k) => (x as Record<string, unknown>)[k], o);
}

/** Each README table whose first column is `constant`: its column names and rows of cells. */
function tables(md: string): { columns: string[]; rows: string[][] }[] {
  const out: { columns: string[]; rows: string[][] }[] = [];
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split("|")
      .map((c) => c.trim());
  let current: { columns: string[]; rows: string[][] } | null = null;
  for (const line of md.split("\n")) {
    if (!line.startsWith("|")) {
      current = null;
      continue;
    }
    const c = cells(line);
    if (current === null) {
      if (c[0] === "constant") {
        current = { columns: c, rows: [] };
        out.push(current);
      }
      continue;
    }
    if (!c[0]?.startsWith("---")) current.rows.push(c);
  }
  return out;
}

describe("the README", () => {
  const found = tables(readme);

  it("has a table for the profile, the NIC and the network path costs", () => {
    expect(found.map((t) => t.columns.slice(1, -1))).toEqual([
      ["x86"],
      ["x86Nic"],
      ["x86NetCosts"],
    ]);
  });

  for (const t of found) {
    const names = t.columns.slice(1, -1);
    it(`shows ${names.join(" and ")} as shipped, one row per constant`, () => {
      const paths = t.rows.map((r) => /^`(.+)`$/.exec(r[0]!)?.[1]);
      for (const name of names) {
        expect([...paths].sort()).toEqual([...shipped[name]!.constants].sort());
      }
      for (const row of t.rows) {
        const path = /^`(.+)`$/.exec(row[0]!)![1]!;
        names.forEach((name, i) => {
          expect(row[i + 1], `${name} ${path}`).toBe(shown(at(shipped[name]!.value, path)));
        });
        expect(row[names.length + 1], `source of ${path}`).not.toBe("");
      }
    });
  }
});
