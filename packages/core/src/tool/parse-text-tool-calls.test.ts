import { describe, expect, it } from "vitest";
import { parseTextToolCalls } from "./parse-text-tool-calls.js";

const known = new Set(["get_weather", "add"]);

describe("parseTextToolCalls", () => {
  it.each([
    ["bare JSON with arguments", `{"name": "get_weather", "arguments": {"city": "Tokyo"}}`],
    ["bare JSON with parameters (llama3.2 style)", `{"type": "function", "name": "get_weather", "parameters": {"city": "Tokyo"}}`],
    ["fenced JSON", '```json\n{"name": "get_weather", "arguments": {"city": "Tokyo"}}\n```'],
    ["<tool_call> tags", `<tool_call>\n{"name": "get_weather", "arguments": {"city": "Tokyo"}}\n</tool_call>`],
    ["arguments as a JSON string", `{"name": "get_weather", "arguments": "{\\"city\\": \\"Tokyo\\"}"}`],
    ["a function wrapper", `{"function": {"name": "get_weather", "arguments": {"city": "Tokyo"}}}`],
  ])("recognises %s", (_label, content) => {
    const parsed = parseTextToolCalls(content, known);
    expect(parsed?.calls).toEqual([{ function: { index: 0, name: "get_weather", arguments: { city: "Tokyo" } } }]);
  });

  it("finds several calls and keeps the prose around them", () => {
    const parsed = parseTextToolCalls(
      `Let me check.\n<tool_call>{"name":"add","arguments":{"a":1,"b":2}}</tool_call>\n<tool_call>{"name":"add","arguments":{"a":3,"b":4}}</tool_call>`,
      known,
    );
    expect(parsed?.calls.map((c) => c.function.arguments)).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ]);
    expect(parsed?.rest).toBe("Let me check.");
  });

  it("accepts an array of calls", () => {
    const parsed = parseTextToolCalls(
      `[{"name":"add","arguments":{"a":1,"b":2}},{"name":"get_weather","parameters":{"city":"Oslo"}}]`,
      known,
    );
    expect(parsed?.calls.map((c) => c.function.name)).toEqual(["add", "get_weather"]);
  });

  it.each([
    ["an unknown tool", `{"name": "rm_rf", "arguments": {}}`],
    ["plain prose", "The weather in Tokyo is mild."],
    ["JSON that is an answer, not a call", `{"city": "Tokyo", "temperature": 11}`],
    ["broken JSON", `{"name": "add", "arguments": {"a": 1`],
  ])("ignores %s", (_label, content) => {
    expect(parseTextToolCalls(content, known)).toBeUndefined();
  });
});
