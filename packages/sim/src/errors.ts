/**
 * The one error type the machine throws for bad input or misuse of a
 * primitive. Its message names what is wrong and how to fix it; the CLI prints
 * the message alone, never a stack trace.
 */
export class SimError extends Error {
  override name = "SimError";
}
