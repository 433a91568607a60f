/*
 * A workload's command line as a matrix file writes it ("iperf3 -c dut -R"):
 * words split on blanks, with single or double quotes keeping blanks in a
 * word. No variables, globs or escapes: a matrix is data, not a shell.
 */
import { UsageError } from "../errors.js";

export function splitCommandLine(line: string, where: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | null = null;
  for (const ch of line) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== null) throw new UsageError(`${where}: a ${quote} quote is not closed in "${line}"`);
  if (inWord) words.push(word);
  if (words.length === 0)
    throw new UsageError(`${where}: empty command line; give e.g. "iperf3 -c dut -R"`);
  return words;
}
