/*
 * Reading a file the user names (a litmus test, a kernel file, a sweep's
 * matrix): only regular files, and only up to a size, since a FIFO would
 * block for ever and a link to /dev/zero never ends. Every failure is one
 * line naming the path and what is wrong with it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { UsageError } from "./errors.js";

/** What went wrong with `path`, in words, from a failed stat or open. */
export function failure(path: string, e: unknown): UsageError {
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

export function stat(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw failure(path, e);
  }
}

function notRegular(path: string, s: Stats, give: string): UsageError {
  const kind = s.isFIFO()
    ? "a FIFO"
    : s.isCharacterDevice() || s.isBlockDevice()
      ? "a device"
      : s.isSocket()
        ? "a socket"
        : "not a regular file";
  return new UsageError(`${path}: ${kind}; give ${give}`);
}

/** What a file is, for messages: "a .litmus file or a folder of them", and why it is small. */
export interface FileKind {
  give: string;
  maxBytes: number;
  /** Why a larger file is refused, e.g. "a litmus test is a few lines". */
  tooLarge: string;
}

/** The text of one file the user named: a regular file of at most `kind.maxBytes`, as UTF-8. */
export function readUserFile(path: string, kind: FileKind): string {
  const s = stat(path);
  if (!s.isFile()) throw notRegular(path, s, kind.give);
  let fd: number;
  try {
    // Non-blocking: should the file become a FIFO after the stat, open does not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw failure(path, e);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw notRegular(path, opened, kind.give);
    const buf = Buffer.alloc(kind.maxBytes + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      n += got;
      if (got === 0 || n > kind.maxBytes) break;
    }
    if (n > kind.maxBytes) {
      throw new UsageError(
        `${path}: larger than ${kind.maxBytes} bytes; ${kind.tooLarge} (is this the right file?)`,
      );
    }
    return buf.toString("utf8", 0, n);
  } catch (e) {
    throw e instanceof UsageError ? e : failure(path, e);
  } finally {
    closeSync(fd);
  }
}
