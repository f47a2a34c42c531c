import { describe, expect, it } from "vitest";
import { ThinkTagFilter } from "./think-tag-filter.js";

function run(chunks: string[]) {
  const filter = new ThinkTagFilter();
  let text = "";
  let thinking = "";
  for (const chunk of [...chunks.map((c) => filter.push(c)), filter.flush()]) {
    text += chunk.text;
    thinking += chunk.thinking;
  }
  return { text, thinking };
}

describe("ThinkTagFilter", () => {
  it("moves a <think> section out of the text", () => {
    expect(run(["<think>plan it</think>The answer."])).toEqual({ text: "The answer.", thinking: "plan it" });
  });

  it("handles tags split across chunks, one character at a time", () => {
    const input = "<think>a < b</think>ok <b>bold</b>";
    expect(run([...input])).toEqual({ text: "ok <b>bold</b>", thinking: "a < b" });
  });

  it("leaves text without tags alone, including a trailing '<'", () => {
    expect(run(["x <", " y"])).toEqual({ text: "x < y", thinking: "" });
    expect(run(["ends with <"])).toEqual({ text: "ends with <", thinking: "" });
  });

  it("treats an unclosed section as thinking", () => {
    expect(run(["<think>never closed"])).toEqual({ text: "", thinking: "never closed" });
  });
});
