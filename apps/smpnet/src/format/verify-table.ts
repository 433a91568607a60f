import type { VerifyRow } from "@smpnet/memmodel";
import Table from "cli-table3";

/** What a variant leaves out, as the table says it. */
const REMOVES: Record<VerifyRow["removes"], string> = {
  nothing: "",
  fence: "fence",
  atomic: "atomicity",
  synchronisation: "synchronisation",
};

/**
 * One line per pattern, architecture and variant; a column for what the
 * variant removes and one per model.
 */
export function verifyTable(rows: readonly VerifyRow[]): string {
  const table = new Table({
    head: ["pattern", "arch", "variant", "removes", "sc", "own model"],
    style: { head: [], border: [] },
  });
  const key = (r: VerifyRow) => `${r.pattern} ${r.arch} ${r.variant}`;
  const groups = new Map<string, VerifyRow[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const cell = (r: VerifyRow | undefined) =>
    r === undefined ? "" : r.safe ? "safe" : `UNSAFE (${r.model})`;
  for (const g of groups.values()) {
    const first = g[0]!;
    const sc = g.find((r) => r.model === "sc");
    const own = g.find((r) => r.model !== "sc");
    table.push([
      first.pattern,
      first.arch,
      first.variant,
      REMOVES[first.removes],
      cell(sc),
      cell(own),
    ]);
  }
  return table.toString();
}
