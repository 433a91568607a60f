/*
 * The kernel flags of `smpnet run` and `compare` (--hw, --cpus, --policy,
 * ...): read as the fields of a kernel file, over the file given with
 * --kernel if any, and checked by the same schema, so a flag and a file
 * field are refused in the same words.
 */
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { HARDWARE, HARDWARE_NAMES } from "./hardware.js";
import { checkKernelSpec, readKernelFileData } from "./read.js";
import type { ResolvedKernelSpec } from "./spec.js";

export interface KernelFlags {
  kernel?: string;
  hw?: string;
  cpus?: string;
  policy?: string;
  reclamation?: string;
  softint?: string;
  hz?: string;
  delay?: string;
  loss?: string;
  reorder?: string;
  speed?: string;
}

/** The kernel flags; with `many`, --kernel may be given once per kernel (compare). */
export function addKernelFlags(c: Command, many = false): Command {
  if (many) {
    c.option(
      "--kernel <file>",
      "a kernel file (.yaml or .json), once per kernel",
      (v: string, prev: string[] = []) => [...prev, v],
    );
  } else {
    c.option(
      "--kernel <file>",
      "a kernel file (.yaml or .json); the flags below override its fields",
    );
  }
  return c
    .option(
      "--hw <name>",
      `hardware (default er4): ${HARDWARE_NAMES.map((h) => `${h}, ${HARDWARE[h].about}`).join("; ")}`,
    )
    .option("--cpus <n>", "CPUs of the system under test (default: all of the hardware's)")
    .option("--policy <name>", "locking policy (default giant)")
    .option(
      "--reclamation <scheme>",
      "pserialize, epoch, smr or smr-lazy, for a policy that takes one",
    )
    .option("--softint <variant>", "netbsd, budget or threaded (default netbsd)")
    .option("--hz <n>", "clock interrupts per second (default 100)")
    .option("--speed <mbps>", "wire speed in Mbit/s (default: the NIC's)")
    .option("--delay <us>", "one-way propagation delay in microseconds (default 0)")
    .option("--loss <rate>", "share of frames lost on the wire, 0 to 1 (default 0)")
    .option("--reorder <rate>", "share of frames reordered on the wire, 0 to 1 (default 0)");
}

/** A flag's number: the whole text must be one, else the flag is named. */
function number(flag: string, text: string): number {
  const n = text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag}: expected a number, got "${text}"`);
  return n;
}

/** Each checked field and the flag that sets it, to name the flag in a message. */
const FLAG_OF: Record<string, string> = {
  hw: "--hw",
  cpus: "--cpus",
  policy: "--policy",
  reclamation: "--reclamation",
  softint: "--softint",
  hz: "--hz",
  "wire.speedMbps": "--speed",
  "wire.delayNs": "--delay",
  "wire.lossRate": "--loss",
  "wire.reorderRate": "--reorder",
};

/** The kernel the flags describe, one field per flag given, over the --kernel file. */
export function kernelFromFlags(f: KernelFlags, policyOverride?: string): ResolvedKernelSpec {
  let base: Record<string, unknown> = {};
  if (f.kernel !== undefined) {
    const data = readKernelFileData(f.kernel);
    // The file alone first, so its own mistakes are reported against it.
    checkKernelSpec(data, f.kernel);
    base = data as Record<string, unknown>;
  }
  const spec: Record<string, unknown> = { ...base };
  const wire: Record<string, unknown> = { ...(base.wire as Record<string, unknown> | undefined) };
  if (f.hw !== undefined) spec.hw = f.hw;
  if (f.cpus !== undefined) spec.cpus = number("cpus", f.cpus);
  const policy = policyOverride ?? f.policy;
  if (policy !== undefined) spec.policy = policy;
  if (f.reclamation !== undefined) spec.reclamation = f.reclamation;
  if (f.softint !== undefined) spec.softint = f.softint;
  if (f.hz !== undefined) spec.hz = number("hz", f.hz);
  if (f.speed !== undefined) wire.speedMbps = number("speed", f.speed);
  if (f.delay !== undefined) {
    const us = number("delay", f.delay);
    if (us < 0)
      throw new UsageError(
        `--delay: expected a non-negative number of microseconds, got "${f.delay}"`,
      );
    wire.delayNs = us * 1000;
  }
  if (f.loss !== undefined) wire.lossRate = number("loss", f.loss);
  if (f.reorder !== undefined) wire.reorderRate = number("reorder", f.reorder);
  if (Object.keys(wire).length > 0) spec.wire = wire;
  try {
    return checkKernelSpec(spec, "flags");
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    throw new UsageError(
      e.message.replace(
        /^flags: kernel\.([\w.]+): /gm,
        (_m, path: string) => `${FLAG_OF[path] ?? path}: `,
      ),
    );
  }
}
