import { describe, expect, it } from "vitest";
import { answerSources, withAnswerSources } from "./session-sources.js";

describe("answers' sources in a session's data", () => {
  const keys = { n: 1, id: "7", path: "docs/keys.md", startLine: 3, text: "Rotate the keys." };

  it("records a run's sources under its answer's message, keeps earlier answers' and the data's other fields, and adds nothing for none", () => {
    const first = withAnswerSources(undefined, 1, [keys]);
    expect(first).toEqual({ sources: { "1": [keys] } });
    const second = withAnswerSources({ ...first, theme: "dark" }, 3, []);
    expect(second).toEqual({ sources: { "1": [keys] }, theme: "dark" });
    expect(withAnswerSources(second, 5, [{ ...keys, n: 1, id: "9" }]).sources).toEqual({ "1": [keys], "5": [{ ...keys, id: "9" }] });
  });

  it("reads back only entries keyed by a message index whose sources have a number and a path", () => {
    expect(answerSources(undefined)).toEqual({});
    expect(answerSources({ sources: [keys] })).toEqual({});
    expect(
      answerSources({
        sources: {
          "1": [keys, { n: "2", path: "x.md" }, null, { n: 3 }],
          answer: [keys],
          "4": "not a list",
          "6": [{ n: 2 }],
        },
      }),
    ).toEqual({ "1": [keys] });
  });
});
