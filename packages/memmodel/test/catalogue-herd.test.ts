/*
 * The catalogue's .litmus files against herd7 7.57: always against its
 * answers recorded in litmus/herd7.json (node scripts/write-catalogue.mjs
 * with HERD7 set writes them), and, with HERD7 set, line by line against
 * herd7 itself, which also keeps the record honest.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  catalogueFiles,
  checkTest,
  formatResult,
  modelsFor,
  observation,
  parseLitmus,
} from "../src/index.js";
import { comparable, HERD7, herdSays } from "./herd7.js";

interface HerdAnswer {
  readonly states: number;
  readonly positive: number;
  readonly negative: number;
  readonly observation: string;
}

const RECORD = join(import.meta.dirname, "../litmus/herd7.json");
const recorded: Record<string, Record<string, HerdAnswer>> = existsSync(RECORD)
  ? JSON.parse(readFileSync(RECORD, "utf8"))
  : {};
const files = catalogueFiles();
const archOf = (path: string) => (path.startsWith("MIPS/") ? "MIPS" : "X86");

describe("the catalogue's litmus files and herd7 7.57", () => {
  it("has herd7's answer for every file, under its architecture's model and sc", () => {
    const want = Object.fromEntries(
      files.map((f) => [f.path, modelsFor(archOf(f.path)).map((m) => m.name)]),
    );
    const have = Object.fromEntries(
      Object.entries(recorded).map(([path, models]) => [path, Object.keys(models)]),
    );
    expect(have).toEqual(want);
  });

  for (const f of files) {
    for (const model of modelsFor(archOf(f.path))) {
      const answer = recorded[f.path]?.[model.name];
      it(`${f.path} under ${model.name}: ${answer?.observation} ${answer?.positive} ${answer?.negative}`, () => {
        const r = checkTest(parseLitmus(f.text, f.path), model);
        expect({
          states: r.states.length,
          positive: r.positive,
          negative: r.negative,
          observation: observation(r),
        }).toEqual(answer);
      });
    }
  }

  describe.skipIf(HERD7 === undefined)("herd7 itself", () => {
    for (const f of files) {
      it(`${f.path}: herd7 prints what this package prints, and what herd7.json records`, () => {
        for (const model of modelsFor(archOf(f.path))) {
          const herd = herdSays(HERD7 as string, f.text, model.name);
          const mine = comparable(formatResult(checkTest(parseLitmus(f.text, f.path), model)));
          expect(mine, model.name).toEqual(herd);
          const a = recorded[f.path]?.[model.name];
          expect(herd).toContain(`States ${a?.states}`);
          expect(herd.find((l) => l.startsWith("Observation "))).toMatch(
            new RegExp(` ${a?.observation} ${a?.positive} ${a?.negative}$`),
          );
        }
      }, 60_000);
    }
  });
});
