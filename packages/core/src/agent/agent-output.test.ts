import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { chatBodies as chatBodiesOf } from "../__fixtures__/helpers.js";
import { OutputValidationError } from "../errors/output-validation-error.js";
import { defineTool } from "../tool/define-tool.js";
import { Agent } from "./agent.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const chatBodies = () => chatBodiesOf(fake!);
const City = z.object({ city: z.string(), celsius: z.number() });
const weather = defineTool({
  name: "get_weather",
  description: "Weather",
  input: z.object({ city: z.string() }),
  execute: () => "11 degrees",
});

describe("structured output", () => {
  it("after the tool steps, asks once more with format and no tools, and types the result", async () => {
    fake = await startFakeOllama({
      chat: [
        { toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] },
        { content: "It is 11 degrees in Oslo." },
        { content: `{"city": "Oslo", "celsius": 11}` },
      ],
    });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: [weather], output: City });
    const result = await agent.run("Weather in Oslo?");
    const output: { city: string; celsius: number } | undefined = result.output;
    expect(output).toEqual({ city: "Oslo", celsius: 11 });
    const bodies = chatBodies();
    expect(bodies).toHaveLength(3);
    expect(bodies[0]!.format).toBeUndefined();
    expect(bodies[2]!.tools).toBeUndefined();
    expect(bodies[2]!.format).toMatchObject({ type: "object", required: ["city", "celsius"] });
    expect(result.messages.at(-1)!.content).toBe(`{"city": "Oslo", "celsius": 11}`);
  });

  it("without tools, the first call already uses format", async () => {
    fake = await startFakeOllama({ chat: [{ content: `{"city": "Rome", "celsius": 20}` }] });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url, output: City }).run("Rome?");
    expect(result.output).toEqual({ city: "Rome", celsius: 20 });
    expect(chatBodies()).toHaveLength(1);
    expect(chatBodies()[0]!.format).toMatchObject({ type: "object" });
  });

  it("retries once with the validation error", async () => {
    fake = await startFakeOllama({ chat: [{ content: `{"city": "Rome"}` }, { content: `{"city": "Rome", "celsius": 20}` }] });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url, output: City }).run("Rome?");
    expect(result.output).toEqual({ city: "Rome", celsius: 20 });
    const retry = chatBodies()[1]!;
    expect(retry.messages.at(-1).content).toMatch(/did not match[\s\S]*celsius/);
  });

  it("fails with a typed error when the retry is invalid too", async () => {
    fake = await startFakeOllama({ chat: [{ content: "not json" }, { content: `{"city": 3}` }] });
    const error = await new Agent({ model: "qwen3:4b", host: fake.url, output: City }).run("Rome?").catch((e) => e);
    expect(error).toBeInstanceOf(OutputValidationError);
    expect(error.code).toBe("output_invalid");
    expect(chatBodies()).toHaveLength(2);
  });
});
