/*
 * Finding and reading the .litmus files `smpnet litmus` is given. A path is
 * a file, read as given, or a folder, searched recursively for `*.litmus` in
 * name order, following symbolic links to folders (each real folder once, so
 * a link back up does not loop). Only regular files are read, and only up to
 * MAX_BYTES: a FIFO would block for ever and a link to /dev/zero never ends.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { UsageError } from "./errors.js";

/** The largest .litmus file read: herd's tests are a few kilobytes (the shared set's largest is 545 bytes). */
export const MAX_BYTES = 1 << 20;

/** What went wrong with `path`, in words, from a failed stat or open. */
function failure(path: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT" || code === "ENOTDIR"
      ? "no such file or folder"
      : code === "ELOOP"
        ? "a loop of symbolic links (a link that leads back to itself)"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : `cannot be read (${code ?? String(e)})`;
  return new UsageError(`${path}: ${why}`);
}

function stat(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw failure(path, e);
  }
}

function notRegular(path: string, s: Stats): UsageError {
  const kind = s.isFIFO()
    ? "a FIFO"
    : s.isCharacterDevice() || s.isBlockDevice()
      ? "a device"
      : s.isSocket()
        ? "a socket"
        : "not a regular file";
  return new UsageError(`${path}: ${kind}; give a .litmus file or a folder of them`);
}

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
  const s = stat(path);
  if (!s.isFile()) throw notRegular(path, s);
  let fd: number;
  try {
    // Non-blocking: should the file become a FIFO after the stat, open does not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw failure(path, e);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw notRegular(path, opened);
    const buf = Buffer.alloc(MAX_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      n += got;
      if (got === 0 || n > MAX_BYTES) break;
    }
    if (n > MAX_BYTES) {
      throw new UsageError(
        `${path}: larger than ${MAX_BYTES} bytes; a litmus test is a few lines (is this the right file?)`,
      );
    }
    return buf.toString("utf8", 0, n);
  } catch (e) {
    throw e instanceof UsageError ? e : failure(path, e);
  } finally {
    closeSync(fd);
  }
}
