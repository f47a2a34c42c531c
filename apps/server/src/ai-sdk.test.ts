import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateObject, generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

// The json_object case warns that the schema is not sent; the test checks what is sent instead.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

let test: TestServer;

beforeAll(async () => {
  test = await startTestServer();
});
afterAll(() => test.close());

type SentBody = { tools?: { function: { name: string } }[]; messages: Record<string, unknown>[]; format?: unknown };
const lastSent = () => test.fake.requestsTo("/api/chat").at(-1)?.body as SentBody;

const provider = (supportsStructuredOutputs: boolean) =>
  createOpenAICompatible({ name: "corral", baseURL: `${test.url}/v1`, apiKey: "unused", supportsStructuredOutputs, includeUsage: true });

const weather = tool({
  description: "The weather in a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: 11 }),
});

describe("the Vercel AI SDK (ai 6, @ai-sdk/openai-compatible)", () => {
  it("generateText runs its tool loop against the server: the call comes back, the result continues the run", async () => {
    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] }, { content: "It is 11 °C in Oslo." });
    const result = await generateText({
      model: provider(false)("default"),
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
      prompt: "Weather in Oslo?",
      maxRetries: 0,
    });
    expect(result.text).toBe("It is 11 °C in Oslo.");
    expect(result.steps[0]?.finishReason).toBe("tool-calls");
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ toolName: "get_weather", input: { city: "Oslo" } });
    expect(lastSent().messages.at(-1)).toMatchObject({ role: "tool", tool_name: "get_weather", content: expect.stringContaining("11") });
  });

  it("streamText assembles a streamed tool call", async () => {
    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Lima" } }] });
    const result = streamText({
      model: provider(false)("default"),
      tools: {
        get_weather: tool({
          description: "The weather",
          inputSchema: jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } } }),
        }),
      },
      prompt: "Lima?",
      maxRetries: 0,
    });
    const calls = await result.toolCalls;
    expect(calls[0]).toMatchObject({ toolName: "get_weather", input: { city: "Lima" } });
    expect(await result.finishReason).toBe("tool-calls");
  });

  it("generateObject with structured outputs (json_schema) and without (json_object)", async () => {
    const schema = z.object({ city: z.string(), celsius: z.number() });
    test.fake.enqueue({ content: '{"city":"Oslo","celsius":11}' });
    const strict = await generateObject({ model: provider(true)("default"), schema, prompt: "Weather in Oslo", maxRetries: 0 });
    expect(strict.object).toEqual({ city: "Oslo", celsius: 11 });
    expect(lastSent().format).toMatchObject({ type: "object", required: ["city", "celsius"] });

    test.fake.enqueue({ content: '{"city":"Rome","celsius":20}' });
    const loose = await generateObject({ model: provider(false)("default"), schema, prompt: "Weather in Rome", maxRetries: 0 });
    expect(loose.object).toEqual({ city: "Rome", celsius: 20 });
    expect(lastSent().format).toBe("json");
  });
});
