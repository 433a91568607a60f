/*
 * How the machine's plain-data descriptions (profiles, NICs, network path
 * costs) report what is wrong with them: one line per problem, each naming
 * the dotted field and what it expects, in the schema's own words.
 */

import * as v from "valibot";
import { SimError } from "./errors.js";

/** The parts of a valibot schema that say what it expects. */
interface SchemaShape {
  entries?: Readonly<Record<string, SchemaShape>>;
  wrapped?: SchemaShape;
  pipe?: readonly { message?: unknown }[];
  message?: unknown;
}

/** What `schema` expects at a dotted path, or `fallback`. */
function expectation(schema: unknown, path: string, fallback: string): string {
  let s: SchemaShape | undefined = schema as SchemaShape;
  for (const key of path.split(".")) {
    // optional fields wrap their schema
    while (s?.wrapped) s = s.wrapped;
    s = s?.entries?.[key];
  }
  while (s?.wrapped) s = s.wrapped;
  if (s?.entries) return `expected an object with ${Object.keys(s.entries).join(", ")}`;
  const message = s?.pipe?.[0]?.message ?? s?.message;
  return typeof message === "string" ? message : fallback;
}

/**
 * Parses `input` with `schema`, or throws a SimError with one line per
 * wrong, missing or unknown field (`what.field: ...`). `typeName` names the
 * type to read when the schema has no words of its own for a field.
 */
export function checkSchema<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  what: string,
  typeName: string,
): v.InferOutput<S> {
  const r = v.safeParse(schema, input);
  if (r.success) return r.output;
  const lines = r.issues.map((issue) => {
    const path = v.getDotPath(issue);
    const where = path ? `${what}.${path}` : what;
    if (issue.type === "strict_object" && issue.input === undefined && path) {
      return `${where}: missing; ${expectation(schema, path, `see the ${typeName} type`)}`;
    }
    if (issue.type === "strict_object" && path) {
      return `${where}: unknown field; remove it or check its spelling`;
    }
    return `${where}: ${issue.message}`;
  });
  throw new SimError(lines.join("\n"));
}

/**
 * What a record of sources leaves out (`missing`: constants with no source)
 * or keeps for nothing (`stale`: sources of no constant).
 */
export function sourceGaps(
  constants: readonly string[],
  sources: Readonly<Record<string, string>>,
): { missing: string[]; stale: string[] } {
  return {
    missing: constants.filter((k) => !sources[k]?.trim()),
    stale: Object.keys(sources).filter((k) => !constants.includes(k)),
  };
}
