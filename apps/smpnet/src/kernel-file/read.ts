/*
 * Reading a kernel file: YAML (.yaml, .yml) or JSON (.json), checked
 * against the kernel schema. Every message starts with the file and names
 * the field: "my.yaml: kernel.cpus: expected a whole number ...".
 */
import { checkSchema, SimError } from "@smpnet/sim";
import { LineCounter, parseDocument } from "yaml";
import { UsageError } from "../errors.js";
import { readUserFile } from "../user-file.js";
import { KernelSpecSchema, type ResolvedKernelSpec } from "./spec.js";

const KERNEL_FILE = {
  give: "a kernel file (.yaml, .yml or .json)",
  maxBytes: 1 << 20,
  tooLarge: "a kernel file is a few lines",
};

/** The data in a YAML or JSON text; `path` names it in messages and picks the syntax. */
export function parseDataFile(path: string, text: string): unknown {
  if (/\.json$/i.test(path)) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new UsageError(`${path}: not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!/\.ya?ml$/i.test(path)) {
    throw new UsageError(
      `${path}: expected a .yaml, .yml or .json file (the name says which syntax)`,
    );
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  const err = doc.errors[0];
  if (err !== undefined) {
    const at = lines.linePos(err.pos[0]);
    throw new UsageError(
      `${path}:${at.line}:${at.col}: not valid YAML: ${err.message.split("\n")[0]}`,
    );
  }
  try {
    return doc.toJS();
  } catch (e) {
    // The parser accepts some texts it cannot turn into data (an alias to no anchor).
    throw new UsageError(`${path}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** Checks plain data as a kernel description; `where` starts every message. */
export function checkKernelSpec(data: unknown, where: string): ResolvedKernelSpec {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UsageError(
      `${where}: kernel: expected a mapping of fields (hw, cpus, policy, reclamation, softint, wire, ...), e.g. "policy: giant"`,
    );
  }
  try {
    return checkSchema(KernelSpecSchema, data, "kernel", "kernel file (schema/kernel.schema.json)");
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    throw new UsageError(
      e.message
        .split("\n")
        .map((line) => `${where}: ${line}`)
        .join("\n"),
    );
  }
}

/** A kernel file's data, read and parsed but not yet checked. */
export function readKernelFileData(path: string): unknown {
  return parseDataFile(path, readUserFile(path, KERNEL_FILE));
}

/** The kernel a file describes. */
export function readKernelFile(path: string): ResolvedKernelSpec {
  return checkKernelSpec(readKernelFileData(path), path);
}
