import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;

beforeAll(async () => {
  test = await startTestServer();
});
afterAll(() => test.close());

const chatModel = () => new ChatOpenAI({ model: "default", apiKey: "unused", configuration: { baseURL: `${test.url}/v1` }, maxRetries: 0 });
type SentBody = { tools?: { function: { name: string } }[]; messages: Record<string, unknown>[]; format?: unknown };
const lastSent = () => test.fake.requestsTo("/api/chat").at(-1)?.body as SentBody;

describe("LangChain's ChatOpenAI pointed at the server", () => {
  it("invokes and streams", async () => {
    const model = chatModel();
    test.fake.enqueue({ content: "Hello from the agent." });
    const message = await model.invoke([{ role: "user", content: "Hi" }]);
    expect(message.content).toBe("Hello from the agent.");
    test.fake.enqueue({ content: "chunked reply over sse" });
    const chunks: string[] = [];
    for await (const chunk of await model.stream("Hi again")) chunks.push(String(chunk.content));
    expect(chunks.join("")).toBe("chunked reply over sse");
    expect(chunks.filter(Boolean).length).toBeGreaterThan(1);
  });

  it("bindTools: the tool call comes back, and its result continues the conversation", async () => {
    const weather = tool(async ({ city }) => `11 °C in ${city}`, {
      name: "get_weather",
      description: "The weather in a city",
      schema: z.object({ city: z.string() }),
    });
    const model = chatModel().bindTools([weather]);
    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] });
    const asked = await model.invoke([{ role: "user", content: "Weather in Oslo?" }]);
    expect(asked.tool_calls).toEqual([expect.objectContaining({ name: "get_weather", args: { city: "Oslo" } })]);
    const result = await weather.invoke(asked.tool_calls![0]!);
    test.fake.enqueue({ content: "It is 11 °C." });
    const answered = await model.invoke([{ role: "user", content: "Weather in Oslo?" }, asked, result]);
    expect(answered.content).toBe("It is 11 °C.");
    expect(lastSent().messages.at(-1)).toMatchObject({ role: "tool", content: "11 °C in Oslo", tool_call_id: asked.tool_calls![0]!.id });
  });

  it("withStructuredOutput parses the constrained answer", async () => {
    const model = chatModel().withStructuredOutput(z.object({ city: z.string(), celsius: z.number() }), { name: "weather" });
    test.fake.enqueue({ content: '{"city":"Oslo","celsius":11}' });
    expect(await model.invoke("Weather in Oslo")).toEqual({ city: "Oslo", celsius: 11 });
    // ChatOpenAI sends response_format json_schema; it reaches Ollama as format.
    expect(lastSent().format).toMatchObject({ type: "object", required: ["city", "celsius"] });
  });
});
