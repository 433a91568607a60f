import { describe, expect, it } from "vitest";
import { checkTest, modelByName, observation, verdict } from "../src/index.js";
import { expected, sharedTest } from "./shared.js";

describe("agreement with herd7 7.57 on the shared litmus set", () => {
  it("covers the 80 tests of expected.json", () => {
    expect(Object.keys(expected)).toHaveLength(80);
  });

  for (const [path, { models }] of Object.entries(expected)) {
    for (const [model, answer] of Object.entries(models)) {
      it(`${path} under ${model}: ${answer.verdict}, ${answer.states} states, ${answer.positive}/${answer.negative}`, () => {
        const r = checkTest(sharedTest(path), modelByName(model));
        expect({
          verdict: verdict(r),
          states: r.states.length,
          positive: r.positive,
          negative: r.negative,
          observation: observation(r),
        }).toEqual({
          verdict: answer.verdict,
          states: answer.states,
          positive: answer.positive,
          negative: answer.negative,
          observation: answer.observation,
        });
      });
    }
  }
});
