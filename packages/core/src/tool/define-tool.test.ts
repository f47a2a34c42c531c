import { describe, expect, it } from "vitest";
import { z } from "zod";
import { callTool } from "../testing/call-tool.js";
import { defineTool } from "./define-tool.js";
import { jsonSchema } from "./json-schema-input.js";

describe("defineTool", () => {
  const add = defineTool({
    name: "add",
    description: "Add two numbers",
    input: z.object({ a: z.number().describe("first"), b: z.number(), round: z.boolean().default(false) }),
    execute: ({ a, b, round }) => (round ? Math.round(a + b) : a + b),
  });

  it("sends zod's JSON Schema, defaulted fields optional, without $schema", () => {
    expect(add.toSpec()).toEqual({
      type: "function",
      function: {
        name: "add",
        description: "Add two numbers",
        parameters: {
          type: "object",
          properties: { a: { type: "number", description: "first" }, b: { type: "number" }, round: { type: "boolean", default: false } },
          required: ["a", "b"],
        },
      },
    });
  });

  it("parses arguments with the same schema", async () => {
    const parsed = add.parse({ a: 1.4, b: 2 });
    expect(parsed).toEqual({ success: true, data: { a: 1.4, b: 2, round: false } });
    expect((await callTool(add, { a: 1.4, b: 2 })).output).toBeCloseTo(3.4);
    const bad = add.parse({ a: "x" });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error).toMatch(/a[\s\S]*number/);
  });

  it("checks the result against an output schema", async () => {
    const liar = defineTool({
      name: "liar",
      description: "d",
      input: z.object({}),
      output: z.number(),
      execute: () => "nope" as unknown as number,
    });
    expect(await callTool(liar, {})).toMatchObject({ isError: true, error: { code: "tool_failed" } });
  });

  it("refuses invalid names", () => {
    expect(() => defineTool({ name: "bad name!", description: "d", input: z.object({}), execute: () => 1 })).toThrow(/invalid/);
  });

  it("accepts a plain JSON Schema validated by Ajv", () => {
    const echo = defineTool({
      name: "echo",
      description: "Echo",
      input: jsonSchema<{ text: string; times?: number }>({
        type: "object",
        properties: { text: { type: "string" }, times: { type: "integer", minimum: 1 } },
        required: ["text"],
      }),
      execute: ({ text }) => text,
    });
    expect(echo.parameters).toMatchObject({ required: ["text"] });
    const args = { text: "hi", times: "2" };
    expect(echo.parse(args)).toEqual({ success: true, data: { text: "hi", times: 2 } });
    expect(args.times).toBe("2");
    const bad = echo.parse({ times: 0 });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error).toMatch(/text/);
  });
});
