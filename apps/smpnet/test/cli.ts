import { spawnSync } from "node:child_process";
import { join } from "node:path";

const cli = join(import.meta.dirname, "../dist/cli.js");

/** Runs the built `smpnet` command; returns its exit code and output. */
export function smpnet(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
