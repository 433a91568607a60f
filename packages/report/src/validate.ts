/*
 * Reading a result back: the version first, so a result from another
 * version of the schema is refused by name rather than by a list of fields,
 * then the schema (ajv), then the hash, so an edited file is noticed.
 */

import { Ajv } from "ajv";
import { resultHash } from "./canonical.js";
import { ReportError } from "./errors.js";
import { RESULT_VERSION, type RunResult } from "./result.js";
import { RESULT_SCHEMA } from "./schema.js";

let check: ReturnType<Ajv["compile"]> | undefined;

/** `value` as a RunResult, or a ReportError naming the first thing wrong and the fix. */
export function validateResult(value: unknown): RunResult {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ReportError("result: expected a JSON object written by smpnet run");
  }
  const v = value as Record<string, unknown>;
  if (v.schema !== "smpnet-result") {
    throw new ReportError(
      `result.schema: expected "smpnet-result", got ${JSON.stringify(v.schema)} (is this a result file of smpnet run?)`,
    );
  }
  if (v.version !== RESULT_VERSION) {
    throw new ReportError(
      `result.version: this result is of schema version ${JSON.stringify(v.version)}; this smpnet reads version ${RESULT_VERSION} only (run the experiment again to make a version ${RESULT_VERSION} result)`,
    );
  }
  check ??= new Ajv({ allErrors: false, strict: true }).compile(RESULT_SCHEMA);
  if (!check(value)) {
    const e = check.errors![0]!;
    const where = `result${e.instancePath.replace(/\/(\d+)/g, "[$1]").replaceAll("/", ".")}`;
    throw new ReportError(`${where}: ${e.message}${paramsOf(e.params)}`);
  }
  const hash = resultHash(value);
  if (v.hash !== hash) {
    throw new ReportError(
      `result.hash: the file's hash ${String(v.hash)} does not match its contents (${hash}); it was changed after the run, run it again`,
    );
  }
  return value as RunResult;
}

function paramsOf(p: Record<string, unknown>): string {
  if (typeof p.additionalProperty === "string") return ` (${p.additionalProperty})`;
  if (p.allowedValue !== undefined) return ` (${JSON.stringify(p.allowedValue)})`;
  return "";
}
