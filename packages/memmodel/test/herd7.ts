/*
 * Runs herd7 on a test, for the comparisons that need it. CI has no herd7:
 * they run only with HERD7=<path to herd7>; its cat files are looked up
 * beside it, in ../share/herdtools7/herd.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const HERD7 = process.env.HERD7;

/** The lines herd7 and formatResult share: all but timing, hash and witness. */
export function comparable(out: string): string[] {
  return out.split("\n").filter((l) => l !== "" && !/^(Time|Hash|Model|Witness:| {2})/.test(l));
}

/** herd7's answer for `text` under `model`, as comparable lines. */
export function herdSays(herd: string, text: string, model: string): string[] {
  const file = join(mkdtempSync(join(tmpdir(), "herd-")), "T.litmus");
  writeFileSync(file, text);
  const cat = join(dirname(herd), "../share/herdtools7/herd", `${model}.cat`);
  return comparable(execFileSync(herd, ["-model", cat, file], { encoding: "utf8" }));
}
