/*
 * The claims as text: per claim what the seed says, what the lab measured,
 * whether it holds and why not, and how it fares with each estimate halved
 * and doubled.
 */
import type { ClaimReport } from "../claims/run-claims.js";

const value = (v: unknown) => (Array.isArray(v) ? v.join(", ") || "none" : String(v));

export function claimsText(reports: readonly ClaimReport[]): string {
  const out: string[] = [];
  for (const r of reports) {
    out.push(`claim ${r.claim}: ${r.title}`);
    out.push(`  the seed: ${r.seed}`);
    out.push("  measured:");
    for (const [k, v] of Object.entries(r.measured)) out.push(`    ${k}: ${value(v)}`);
    out.push(`  holds: ${r.holds ? "yes" : `no (${r.why})`}`);
    if (r.limits !== undefined) out.push(`  what the model does not show: ${r.limits}`);
    if (r.sensitivity.length === 0) out.push("  sensitivity: no modelled estimate enters");
    for (const s of r.sensitivity)
      out.push(
        `  with ${s.constant} x${s.factor}: ${s.holds ? "holds" : `does not hold (${s.why})`}`,
      );
    if (r.flipsWhen.length > 0) out.push(`  hinges on: ${r.flipsWhen.join("; ")}`);
    out.push(`  reproduce: ${r.command}`, "");
  }
  const held = reports.filter((r) => r.holds).length;
  out.push(`${held} of ${reports.length} claims hold.`);
  return `${out.join("\n")}\n`;
}
