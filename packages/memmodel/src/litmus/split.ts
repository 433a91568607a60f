/*
 * Cuts a .litmus file into its sections, as herd's lib/splitter.mll does:
 * the first line (architecture and test name, then an optional "doc string"),
 * `key=value` information lines, the `{ ... }` initial state, the program
 * table, and the constraints from the first of `exists`, `~exists`, `forall`,
 * `final`, `locations`, `filter`, `observed` to the end of the file.
 */
import type { Arch } from "../program.js";
import type { SourceFile } from "./source.js";

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Sections {
  readonly arch: Arch;
  readonly name: string;
  readonly init: Span;
  readonly code: Span;
  readonly constraints: Span;
}

/** Architectures herd7 knows but this checker does not read. */
const OTHER_ARCHS = [
  "AArch64",
  "ARM",
  "PPC",
  "RISCV",
  "X86_64",
  "C",
  "CPP",
  "LISA",
  "Bell",
  "JAVA",
  "ASL",
  "PTX",
];

const CONSTRAINT_START =
  /(~\s*exists|exists|forall|final|locations|filter|observed|Observed|cases)\b/y;

function skipComment(src: SourceFile, at: number): number {
  const close = src.text.indexOf("*)", at + 2);
  if (close < 0) throw src.error(at, "comment `(*` is never closed by `*)`");
  return close + 2;
}

function firstLine(src: SourceFile): { arch: Arch; name: string; end: number } {
  const head = /^\s*/.exec(src.text)![0].length;
  const m = /([A-Za-z0-9_]+)([ \t]+([A-Za-z0-9_/.+[\]-]+))?/y;
  m.lastIndex = head;
  const r = m.exec(src.text);
  if (!r) {
    throw src.error(
      head,
      src.text.trim() === ""
        ? "empty file: a litmus test starts with its architecture and name, e.g. `MIPS SB`"
        : "wrong architecture line: expected the architecture and the test name, e.g. `X86 SB`",
    );
  }
  const word = r[1]!;
  if (word !== "MIPS" && word !== "X86") {
    throw src.error(
      head,
      OTHER_ARCHS.includes(word)
        ? `wrong architecture line: ${word} tests are not supported; this checker reads MIPS and X86`
        : `wrong architecture line: unknown architecture \`${word}\`; expected MIPS or X86 followed by the test name`,
    );
  }
  const arch: Arch = word;
  if (!r[3]) {
    throw src.error(
      head + arch.length,
      `wrong architecture line: \`${arch}\` must be followed by the test name, e.g. \`${arch} SB\``,
    );
  }
  // herd's splitter lets the name be followed by blanks, `(texname)`, a doc string or `;`.
  const after = src.text.codePointAt(m.lastIndex);
  if (after !== undefined && !/[ \t\r\n(";{]/.test(String.fromCodePoint(after))) {
    const c = String.fromCodePoint(after);
    throw src.error(
      m.lastIndex,
      `the test name \`${r[3]}\` is followed by \`${c}\` (U+${after.toString(16).toUpperCase().padStart(4, "0")}); test names are letters, digits and _ / . + - [ ]`,
    );
  }
  return { arch, name: r[3], end: m.lastIndex };
}

/** The offset just after the string whose opening `"` is at `open`. */
function stringEnd(src: SourceFile, open: number, what: string): number {
  const close = src.text.indexOf('"', open + 1);
  if (close < 0) throw src.error(open, `${what} \`"\` is never closed by \`"\``);
  return close + 1;
}

/** The offset just after the `}` closing the init section that opens at `open`. */
function initEnd(src: SourceFile, open: number): number {
  let depth = 0;
  for (let i = open + 1; i < src.text.length; i++) {
    const c = src.text[i];
    if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw src.error(open, "the initial state `{` is never closed by `}`");
}

export function splitSections(src: SourceFile): Sections {
  const { text } = src;
  const head = firstLine(src);
  // The doc string may hold any character, `{` included: step over it.
  const doc = /[ \t]*\r?\n?[ \t]*"/y;
  doc.lastIndex = head.end;
  const afterHead = doc.test(text) ? stringEnd(src, doc.lastIndex - 1, "the doc string") : head.end;
  const open = text.indexOf("{", afterHead);
  if (open < 0) {
    throw src.error(
      head.end,
      "no initial state: after the first line a test has `{ ... }` (it may be empty: `{ }`)",
    );
  }
  const close = initEnd(src, open);

  let i = close + 1;
  let codeEnd = text.length;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "(" && text[i + 1] === "*") {
      i = skipComment(src, i);
      continue;
    }
    if (c === '"') {
      i = stringEnd(src, i, "the string");
      continue;
    }
    if (/[A-Za-z~]/.test(c) && !/[A-Za-z0-9_]/.test(text[i - 1] ?? " ")) {
      CONSTRAINT_START.lastIndex = i;
      if (CONSTRAINT_START.test(text)) {
        codeEnd = i;
        break;
      }
    }
    i++;
  }
  const doubleAngle = text.indexOf("<<", codeEnd);
  return {
    arch: head.arch,
    name: head.name,
    init: { start: open + 1, end: close },
    code: { start: close + 1, end: codeEnd },
    constraints: { start: codeEnd, end: doubleAngle < 0 ? text.length : doubleAngle },
  };
}
