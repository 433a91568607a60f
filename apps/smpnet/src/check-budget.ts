/*
 * The checker's budget as `smpnet litmus` offers it: an option per limit
 * (@smpnet/memmodel's budget.ts says what each counts), a progress line on
 * stderr every few seconds of a long check, and the message when a limit is
 * hit naming the option that raises it.
 */
import {
  CheckLimitError,
  type CheckLimits,
  type CheckOptions,
  type CheckProgress,
  DEFAULT_LIMITS,
  type LimitName,
} from "@smpnet/memmodel";
import type { Command } from "commander";
import { UsageError } from "./errors.js";
import { parseIntOption } from "./options.js";

/** A progress line once a check has run this long, and again as often. */
const PROGRESS_MS = 2000;

const MiB = 2 ** 20;

/** Each limit's option, and its unit on the command line. */
const OPTIONS: Record<LimitName, { flag: string; attr: string; unit: number; what: string }> = {
  maxCandidates: {
    flag: "--max-candidates",
    attr: "maxCandidates",
    unit: 1,
    what: "candidate executions examined per test and model",
  },
  maxSeconds: {
    flag: "--max-seconds",
    attr: "maxSeconds",
    unit: 1,
    what: "seconds per test and model",
  },
  maxChoiceBytes: {
    flag: "--max-memory",
    attr: "maxMemory",
    unit: MiB,
    what: "MiB of stored choices per test and model",
  },
};

export function addBudgetOptions(command: Command): Command {
  for (const [name, o] of Object.entries(OPTIONS)) {
    command.option(
      `${o.flag} <n>`,
      `${o.what} (default ${DEFAULT_LIMITS[name as LimitName] / o.unit})`,
    );
  }
  return command;
}

/** The check options the budget flags ask for, with progress lines on stderr. */
export function budgetOptions(opts: Record<string, string | undefined>): Partial<CheckOptions> {
  const limits: Partial<Record<LimitName, number>> = {};
  for (const [name, o] of Object.entries(OPTIONS)) {
    const raw = opts[o.attr];
    if (raw !== undefined)
      limits[name as LimitName] = parseIntOption(o.flag, raw, 1, 2 ** 40) * o.unit;
  }
  return { limits: limits as Partial<CheckLimits>, progressMs: PROGRESS_MS };
}

/** A progress line for the check of `what`. */
export function progressLine(what: string) {
  return (p: CheckProgress) =>
    process.stderr.write(
      `smpnet: checking ${what}: ${p.candidates} candidates, ${p.allowed} allowed, ${Math.round(p.elapsedMs / 1000)} s\n`,
    );
}

/** Runs `check`; a limit it hits becomes a message naming the option that raises it. */
export function withinBudget<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (!(e instanceof CheckLimitError)) throw e;
    const o = OPTIONS[e.limit];
    throw new UsageError(
      `${CheckLimitError.summary(e.limit, e.value, e.progress, e.what)}; make the test smaller, or raise ${o.flag} (now ${e.value / o.unit})`,
    );
  }
}
