/*
 * The shared litmus set beside the repository (../shared/litmus): its tests
 * and herd7's answers for them (expected.json).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type LitmusTest, parseLitmus } from "../src/index.js";

export const LITMUS_DIR = join(import.meta.dirname, "../../../../shared/litmus");

export interface HerdAnswer {
  readonly verdict: "Allowed" | "Forbidden";
  readonly states: number;
  readonly positive: number;
  readonly negative: number;
  readonly observation: string;
  readonly kind: string;
}

export const expected: Record<string, { models: Record<string, HerdAnswer> }> = JSON.parse(
  readFileSync(join(LITMUS_DIR, "expected.json"), "utf8"),
);

export function sharedTest(path: string): LitmusTest {
  return parseLitmus(readFileSync(join(LITMUS_DIR, path), "utf8"), path);
}
