/*
 * Finding and reading the .litmus files `smpnet litmus` is given. A path is
 * a file, read as given, or a folder, searched recursively for `*.litmus` in
 * name order, following symbolic links to folders (each real folder once, so
 * a link back up does not loop). Only regular files are read, and only up to
 * MAX_BYTES: a FIFO would block for ever and a link to /dev/zero never ends.
 */
import { readdirSync, realpathSync, type Stats, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "./errors.js";
import { failure, readUserFile, stat } from "./user-file.js";

/** The largest .litmus file read: herd's tests are a few kilobytes (the shared set's largest is 545 bytes). */
export const MAX_BYTES = 1 << 20;

/** The .litmus files named by `paths`: files as given, folders searched recursively. */
export function litmusFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string, seen: Set<string>) => {
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw failure(dir, e);
    }
    for (const name of names) {
      const p = join(dir, name);
      let s: Stats;
      try {
        s = statSync(p);
      } catch (e) {
        // A broken link is an error only where a test was meant to be.
        if (name.endsWith(".litmus")) throw failure(p, e);
        continue;
      }
      if (s.isDirectory()) walk(p, seen);
      else if (name.endsWith(".litmus")) out.push(p);
    }
  };
  for (const p of paths) {
    if (!stat(p).isDirectory()) {
      out.push(p);
      continue;
    }
    const before = out.length;
    walk(p, new Set());
    if (out.length === before) throw new UsageError(`${p}: the folder holds no .litmus file`);
  }
  return out;
}

/** The text of one .litmus file: a regular file of at most MAX_BYTES, as UTF-8. */
export function readLitmusFile(path: string): string {
  return readUserFile(path, {
    give: "a .litmus file or a folder of them",
    maxBytes: MAX_BYTES,
    tooLarge: "a litmus test is a few lines",
  });
}
