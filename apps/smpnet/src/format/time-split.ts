import type { TimeSplit } from "@smpnet/sim";
import Table from "cli-table3";

/** Each CPU's time split as percentages of the elapsed time; classes nobody used are left out. */
export function timeSplitTable(cpus: TimeSplit[], elapsedNs: number): string {
  const classes = Object.keys(cpus[0] ?? {}).filter((k) => cpus.some((c) => (c[k] ?? 0) > 0));
  const table = new Table({
    head: ["cpu", ...classes.map((c) => `${c} %`)],
    style: { head: [], border: [] },
    colAligns: ["left", ...classes.map(() => "right" as const)],
  });
  cpus.forEach((split, i) => {
    table.push([
      `cpu${i}`,
      ...classes.map((c) => ((100 * (split[c] ?? 0)) / elapsedNs).toFixed(1)),
    ]);
  });
  return table.toString();
}
