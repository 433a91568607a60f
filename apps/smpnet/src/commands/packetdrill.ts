/*
 * `smpnet packetdrill <files or folders...> [--json] [--defaults freebsd|netbsd]`:
 * runs packetdrill scripts (.pkt files; a folder is searched for them) against
 * a simulated host: the giant kernel on round hardware, with TCP's defaults
 * from the chosen preset. Prints one line per script (or one JSON object
 * per script); exits 0 when all pass, 1 when one fails or is unsupported,
 * 2 on bad input (a missing file, an unknown preset, a script that does
 * not parse).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type KernelFactory,
  PacketdrillError,
  parseScript,
  runScript,
  type ScriptOutcome,
  SYSCTL_PRESETS,
  type SysctlPreset,
} from "@smpnet/netinet";
import { kernel } from "@smpnet/policies";
import { roundNetCosts, roundNic, roundProfile, SimError } from "@smpnet/sim";
import type { Command } from "commander";
import { UsageError } from "../errors.js";

/** The host a script runs on: one round CPU and NIC, giant, as the suite's tests assume nothing more. */
export const packetdrillKernel: KernelFactory = (o) =>
  kernel({
    seed: 1,
    profile: roundProfile(1),
    nic: { ...roundNic(), mtuBytes: o.mtu },
    netCosts: roundNetCosts(),
    softint: { variant: "netbsd" },
    policy: "giant",
    defaults: o.defaults,
  });

/** The .pkt files named, folders searched in name order. */
export function scriptFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, top: boolean) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(
        `${p}: no such file or folder; name .pkt scripts or folders holding them`,
      );
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e), false);
    } else if (top || p.endsWith(".pkt")) out.push(p);
  };
  for (const p of paths) walk(p, true);
  if (out.length === 0) throw new UsageError(`no .pkt scripts in ${paths.join(", ")}`);
  return out;
}

/** Parses and runs one script file. */
export function runScriptFile(file: string, defaults: SysctlPreset): ScriptOutcome {
  let script: ReturnType<typeof parseScript>;
  try {
    script = parseScript(readFileSync(file, "utf8"));
  } catch (e) {
    if (e instanceof PacketdrillError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
  try {
    return runScript(script, packetdrillKernel, defaults);
  } catch (e) {
    // a host the options cannot build (--mtu=40): the script's fault, named with its file
    if (e instanceof SimError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}

export function registerPacketdrill(program: Command): void {
  program
    .command("packetdrill")
    .description(
      "run packetdrill scripts against a simulated host (exit 0: all pass, 1: one fails)",
    )
    .argument("<paths...>", ".pkt scripts, or folders to search for them")
    .option("--json", "print one JSON object per script: script, result, line, message")
    .option(
      "--defaults <preset>",
      `TCP's sysctl defaults: ${SYSCTL_PRESETS.join(" or ")}`,
      "freebsd",
    )
    .action((paths: string[], opts: { json?: boolean; defaults: string }) => {
      if (!(SYSCTL_PRESETS as readonly string[]).includes(opts.defaults)) {
        throw new UsageError(
          `--defaults: expected ${SYSCTL_PRESETS.join(" or ")}, got "${opts.defaults}"`,
        );
      }
      const files = scriptFiles(paths);
      let failed = false;
      for (const file of files) {
        const o = runScriptFile(file, opts.defaults as SysctlPreset);
        if (o.result !== "pass") failed = true;
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ script: file, result: o.result, line: o.line, message: o.message })}\n`,
          );
        } else {
          process.stdout.write(
            o.result === "pass"
              ? `pass ${file}\n`
              : `${o.result} ${file}:${o.line}: ${o.message}\n`,
          );
        }
      }
      if (failed) process.exitCode = 1;
    });
}
