import { MemmodelError } from "@smpnet/memmodel";
import { ReportError } from "@smpnet/report";
import { SimError } from "@smpnet/sim";

/** A mistake in what the user asked for: reported as its message alone. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Errors whose message is meant for the user (bad input), not a bug report. */
export function isUserError(e: unknown): e is Error {
  return (
    e instanceof UsageError ||
    e instanceof SimError ||
    e instanceof MemmodelError ||
    e instanceof ReportError
  );
}
