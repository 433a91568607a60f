/*
 * What one check may spend. Checking a litmus test enumerates candidate
 * executions, and their number grows exponentially with the accesses (a
 * thread of 8 stores to one location against 7 others has 64!/(8!)^8 write
 * orders): herd7 too gives up on such tests. The budget counts the candidate
 * executions examined (partial ones included: each is one test of the
 * model's axioms, the unit of the checker's work), the wall time, and the
 * bytes of the per-location choices kept for combining locations, the one
 * store that grows with the enumeration. When one runs out the check stops
 * with a CheckLimitError saying which, how far it got and how to go on.
 *
 * The candidate count is deterministic, the clock is not: the count is the
 * limit a test should rely on, the clock a guard against a forgotten run.
 */
import { MemmodelError } from "./errors.js";

export interface CheckLimits {
  /** Candidate executions examined, partial ones included. */
  readonly maxCandidates: number;
  /** Wall-clock seconds. */
  readonly maxSeconds: number;
  /** Bytes of location choices kept at once (an estimate, see choiceBytes). */
  readonly maxChoiceBytes: number;
}

/**
 * Ten times what the largest normal test takes: the bench's four threads of
 * five accesses (bench/M4x5.litmus, X4x5.litmus) examine 1.8 * 10^6
 * candidates, in 5 to 20 s on the lab machine as its load varies;
 * the shared set's tests fewer than 4096 each. So a test ten times larger
 * stops within minutes, with a message, instead of running for hours.
 */
export const DEFAULT_LIMITS: CheckLimits = {
  maxCandidates: 20_000_000,
  maxSeconds: 300,
  maxChoiceBytes: 256 * 2 ** 20,
};

export interface CheckProgress {
  readonly candidates: number;
  /** Executions the model allowed so far. */
  readonly allowed: number;
  readonly elapsedMs: number;
}

export type LimitName = keyof CheckLimits;

/** A check stopped by its budget: which limit, and how far it got. */
export class CheckLimitError extends MemmodelError {
  override name = "CheckLimitError";
  constructor(
    readonly limit: LimitName,
    readonly value: number,
    readonly progress: CheckProgress,
    /** "file under model": what was being checked. */
    readonly what: string,
  ) {
    super(
      `${CheckLimitError.summary(limit, value, progress, what)}; raise limits.${limit} or make the test smaller`,
    );
  }

  /** The message without the fix, for a caller that names its own way to raise the limit. */
  static summary(limit: LimitName, value: number, p: CheckProgress, what: string): string {
    const spent =
      limit === "maxCandidates"
        ? `the limit of ${value} candidate executions`
        : limit === "maxSeconds"
          ? `the limit of ${value} s`
          : `the limit of ${Math.round(value / 2 ** 20)} MiB of stored choices`;
    return `${what}: checking stopped at ${spent}, after ${p.candidates} candidates in ${(p.elapsedMs / 1000).toFixed(1)} s (${p.allowed} allowed so far): the test is too large to check exhaustively`;
  }
}

/** The clock is read and progress reported once per this many candidates. */
const CLOCK_EVERY = 4096;

export class CheckBudget {
  candidates = 0;
  allowed = 0;
  private choiceBytes = 0;
  private nextTick = CLOCK_EVERY;
  private readonly start = Date.now();
  private lastReport: number;

  constructor(
    private readonly limits: CheckLimits,
    private readonly what: string,
    private readonly onProgress?: (p: CheckProgress) => void,
    private readonly progressMs = 1000,
  ) {
    this.lastReport = this.start;
    this.nextTick = Math.min(CLOCK_EVERY, limits.maxCandidates + 1);
  }

  /** Counts one candidate execution; the only call on the hot path. */
  spend(): void {
    if (++this.candidates >= this.nextTick) this.tick();
  }

  private progress(): CheckProgress {
    return {
      candidates: this.candidates,
      allowed: this.allowed,
      elapsedMs: Date.now() - this.start,
    };
  }

  private tick(): void {
    const { maxCandidates, maxSeconds } = this.limits;
    if (this.candidates > maxCandidates) this.stop("maxCandidates", maxCandidates);
    this.nextTick = Math.min(this.candidates + CLOCK_EVERY, maxCandidates + 1);
    const now = Date.now();
    // report before stopping: a check that ran past the progress interval
    // says so at least once, however slowly the clock was reached
    if (this.onProgress && now - this.lastReport >= this.progressMs) {
      this.lastReport = now;
      this.onProgress(this.progress());
    }
    if (now - this.start > maxSeconds * 1000) this.stop("maxSeconds", maxSeconds);
  }

  /** Accounts for `bytes` more of stored choices. */
  store(bytes: number): void {
    this.choiceBytes += bytes;
    if (this.choiceBytes > this.limits.maxChoiceBytes)
      this.stop("maxChoiceBytes", this.limits.maxChoiceBytes);
  }

  /** Gives back what `store` counted, once the choices are dropped. */
  release(bytes: number): void {
    this.choiceBytes -= bytes;
  }

  private stop(limit: LimitName, value: number): never {
    throw new CheckLimitError(limit, value, this.progress(), this.what);
  }
}

/** Limits given by a caller, each checked: a positive number (Infinity allowed). */
export function checkLimits(given: Partial<CheckLimits> | undefined): CheckLimits {
  const limits = { ...DEFAULT_LIMITS, ...given };
  for (const [k, v] of Object.entries(limits)) {
    if (!(typeof v === "number" && v > 0)) {
      throw new MemmodelError(`limits.${k}: expected a positive number, got ${String(v)}`);
    }
  }
  return limits;
}
