import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse } from "./test-support/sse.js";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;

beforeAll(async () => {
  test = await startTestServer({ config: { agents: { default: { docs: false }, math: { docs: false, tools: ["math"] } } } });
});
afterAll(() => test.close());

async function run(body: Record<string, unknown>, agent = "default") {
  const response = await fetch(`${test.url}/v1/agents/${agent}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const weather = {
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

type Sent = { tools?: { function: { name: string } }[]; messages: Record<string, unknown>[] };
const lastSent = () => test.fake.requestsTo("/api/chat").at(-1)?.body as Sent;

describe("client tools on the native API", () => {
  it("a call of a client tool ends the run with client_tool_calls; tool_results continue it in the session", async () => {
    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] });
    const first = await run({ input: "Weather in Oslo?", tools: [weather] });
    expect(first.status).toBe(200);
    expect(lastSent().tools?.map((tool) => tool.function.name)).toEqual(["get_weather"]);
    expect(first.body.finish_reason).toBe("tool-calls");
    const [call] = first.body.client_tool_calls;
    expect(call).toEqual({ id: expect.stringMatching(/^call_/), name: "get_weather", arguments: { city: "Oslo" } });

    test.fake.enqueue({ content: "It is 11 °C in Oslo." });
    const second = await run({ session_id: first.body.session_id, tool_results: [{ tool_call_id: call.id, content: '{"celsius":11}' }] });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ output_text: "It is 11 °C in Oslo.", finish_reason: "stop" });
    expect(second.body.client_tool_calls).toBeUndefined();
    // The model saw its call answered with the client's result, under the tool's name.
    expect(lastSent().messages.slice(-2)).toEqual([
      expect.objectContaining({ role: "assistant", tool_calls: [expect.objectContaining({ id: call.id })] }),
      expect.objectContaining({ role: "tool", content: '{"celsius":11}', tool_call_id: call.id, tool_name: "get_weather" }),
    ]);
    const session = (await (await fetch(`${test.url}/v1/sessions/${first.body.session_id}`)).json()) as any;
    expect(session.messages.map((message: { role: string }) => message.role)).toEqual(["user", "assistant", "tool", "assistant"]);
  });

  it("the agent's own calls of the step run on the server; only the client's come back, and the stream's finish carries them", async () => {
    test.fake.enqueue({
      toolCalls: [
        { name: "calculator", arguments: { expression: "6*7" } },
        { name: "get_weather", arguments: { city: "Lima" } },
      ],
    });
    const response = await fetch(`${test.url}/v1/agents/math/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "6*7, and the weather in Lima?", tools: [weather], stream: true }),
    });
    const events: { event?: string; data: any }[] = [];
    for await (const message of readSse(response)) events.push({ event: message.event, data: JSON.parse(message.data) });
    const finish = events.at(-1)!;
    expect(finish.event).toBe("finish");
    expect(finish.data.finish_reason).toBe("tool-calls");
    expect(finish.data.client_tool_calls.map((call: { name: string }) => call.name)).toEqual(["get_weather"]);
    expect(finish.data.tool_calls).toEqual([{ name: "calculator", arguments: { expression: "6*7" }, is_error: false }]);
    const session = (await (await fetch(`${test.url}/v1/sessions/${finish.data.session_id}`)).json()) as any;
    // The calculator's result is stored; the weather call waits for the client.
    expect(session.messages.at(-1)).toMatchObject({ role: "tool", tool_name: "calculator", content: "42" });
  });

  it("refuses results that do not answer the waiting calls, and a new input while calls wait, keeping the session as it was", async () => {
    test.fake.enqueue({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] });
    const first = await run({ input: "Weather?", tools: [weather] });
    const id = first.body.session_id;
    const callId = first.body.client_tool_calls[0].id;
    const calls = test.fake.requestsTo("/api/chat").length;

    const unknown = await run({ session_id: id, tool_results: [{ tool_call_id: "call_nope", content: "x" }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: "invalid_request", param: "tool_results.0.tool_call_id" });
    expect(unknown.body.error.message).toContain(`waiting: "${callId}"`);
    const twice = await run({
      session_id: id,
      tool_results: [
        { tool_call_id: callId, content: "a" },
        { tool_call_id: callId, content: "b" },
      ],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toMatch(/answered twice/);

    const newInput = await run({ session_id: id, input: "Never mind" });
    expect(newInput.status).toBe(409);
    expect(newInput.body.error.code).toBe("session_awaits_tool_results");
    expect(newInput.body.error.message).toContain(callId);

    expect(test.fake.requestsTo("/api/chat").length).toBe(calls);
    const session = (await (await fetch(`${test.url}/v1/sessions/${id}`)).json()) as any;
    expect(session.messages).toHaveLength(2);

    // Answered, the session goes on; a second set of results then has nothing to answer.
    test.fake.enqueue({ content: "Sunny." });
    expect((await run({ session_id: id, tool_results: [{ tool_call_id: callId, content: "sunny" }] })).status).toBe(200);
    const late = await run({ session_id: id, tool_results: [{ tool_call_id: callId, content: "sunny" }] });
    expect(late.status).toBe(400);
    expect(late.body.error.message).toMatch(/not waiting for tool results/);
  });

  it("says which field is wrong: results without a session, with an input or images, neither, a bad tool name", async () => {
    const noSession = await run({ tool_results: [{ tool_call_id: "call_1", content: "x" }] });
    expect(noSession.status).toBe(400);
    expect(noSession.body.error.param).toBe("session_id");
    const both = await run({ session_id: "s1", input: "hi", tool_results: [{ tool_call_id: "call_1", content: "x" }] });
    expect(both.status).toBe(400);
    expect(both.body.error.param).toBe("input");
    const images = await run({ session_id: "s1", tool_results: [{ tool_call_id: "call_1", content: "x" }], images: ["aGk="] });
    expect(images.status).toBe(400);
    expect(images.body.error.param).toBe("images");
    const neither = await run({ session_id: "s1" });
    expect(neither.status).toBe(400);
    expect(neither.body.error).toMatchObject({ param: "input", message: expect.stringMatching(/is required/) });
    const badName = await run({ input: "hi", tools: [{ name: "has space" }] });
    expect(badName.status).toBe(400);
    expect(badName.body.error.param).toBe("tools.0.name");
  });
});
