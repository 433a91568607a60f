import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import { join } from "node:path";

const cli = join(import.meta.dirname, "../dist/cli.js");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `smpnet` command with spawn options (a timeout, stdio); returns its exit code and output. */
export function smpnetWith(options: SpawnSyncOptions, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", ...options });
  return { code: r.status ?? -1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
}

/** Runs the built `smpnet` command; returns its exit code and output. */
export function smpnet(...args: string[]): Run {
  return smpnetWith({}, ...args);
}
