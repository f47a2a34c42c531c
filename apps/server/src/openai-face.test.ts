import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;
let client: OpenAI;

beforeAll(async () => {
  test = await startTestServer({
    config: {
      agents: {
        default: { docs: false, instructions: "You are the default agent." },
        helper: { docs: false, model: "llama3.2:3b" },
        vision: { docs: false, model: "gemma3:4b" },
      },
    },
  });
  client = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(() => test.close());

describe("OpenAI-compatible face, request after request", () => {
  it("looks the agent's model up once, not per request, and streams each chunk as the JSON of the whole chunk", async () => {
    const stream = async () => {
      test.fake.enqueue({ content: 'one "two" three' });
      const response = await fetch(`${test.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "helper", stream: true, messages: [{ role: "user", content: "Count" }] }),
      });
      expect(response.status).toBe(200);
      return (await response.text()).split("\n\n").filter((event) => event.startsWith("data: {"));
    };
    const shows = () => test.fake.requestsTo("/api/show").length;
    await stream();
    const afterFirst = shows();
    for (let request = 0; request < 2; request++) {
      const events = await stream();
      expect(events.length).toBeGreaterThan(2);
      for (const event of events) {
        const json = event.slice("data: ".length);
        expect(json).toBe(JSON.stringify(JSON.parse(json)));
        // The exact bytes of the whole chunk object, field for field and in this order.
        const { id, created, choices } = JSON.parse(json);
        const [{ delta, finish_reason }] = choices;
        const whole = { id, created, model: "helper", system_fingerprint: "fp_corral", object: "chat.completion.chunk" };
        expect(json).toBe(JSON.stringify({ ...whole, choices: [{ index: 0, delta, logprobs: null, finish_reason }] }));
      }
      expect(events.map((event) => JSON.parse(event.slice(6)).choices[0].delta.content ?? "").join("")).toBe('one "two" three');
    }
    expect(shows()).toBe(afterFirst);
  });
});

describe("OpenAI-compatible face, through the openai SDK", () => {
  it("answers a chat completion with usage, and the agent's instructions reach the model", async () => {
    test.fake.enqueue({ content: "Hello from corral.", promptEvalCount: 12, evalCount: 4 });
    const completion = await client.chat.completions.create({ model: "default", messages: [{ role: "user", content: "Hi" }] });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toBe("Hello from corral.");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toEqual({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
    const sent = test.fake.requestsTo("/api/chat").at(-1)?.body as { model: string; messages: { role: string; content: string }[] };
    expect(sent.model).toBe("qwen3:4b");
    expect(sent.messages[0]).toEqual({ role: "system", content: "You are the default agent." });
    expect(sent.messages.at(-1)).toMatchObject({ role: "user", content: "Hi" });
  });

  it("streams chat.completion.chunk deltas ending with a finish chunk and usage", async () => {
    test.fake.enqueue({ content: "one two three", promptEvalCount: 5, evalCount: 3 });
    const stream = await client.chat.completions.create({
      model: "helper",
      messages: [
        { role: "system", content: "Client system prompt." },
        { role: "user", content: "Count" },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    const finishReasons: (string | null)[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.model).toBe("helper");
      for (const choice of chunk.choices) {
        if (choice.delta.content) deltas.push(choice.delta.content);
        finishReasons.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas.join("")).toBe("one two three");
    expect(deltas.length).toBeGreaterThan(1);
    expect(finishReasons.at(-1)).toBe("stop");
    expect(usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    const sent = test.fake.requestsTo("/api/chat").at(-1)?.body as { model: string; messages: { role: string; content: string }[] };
    expect(sent.model).toBe("llama3.2:3b");
    expect(sent.messages.map((message) => message.content)).toEqual(["Client system prompt.", "Count"]);
  });

  it("passes a data: URL image to a vision agent as base64 and refuses remote URLs", async () => {
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
    test.fake.enqueue({ content: "A white pixel." });
    const completion = await client.chat.completions.create({
      model: "vision",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
          ],
        },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe("A white pixel.");
    const sent = test.fake.requestsTo("/api/chat").at(-1)?.body as { messages: { content: string; images?: string[] }[] };
    expect(sent.messages.at(-1)).toMatchObject({ content: "What is this?", images: [png] });
    const remote = await client.chat.completions
      .create({
        model: "vision",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://169.254.169.254/latest/meta-data" } }] }],
      })
      .catch((caught: unknown) => caught);
    expect(remote).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("lists the agents as models", async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(["default", "helper", "vision"]);
    const one = await client.models.retrieve("helper");
    expect(one.id).toBe("helper");
  });

  it("raises OpenAI-shaped errors: bad request and unknown model", async () => {
    const error = await client.chat.completions.create({ model: "default", messages: [] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({
      type: "invalid_request_error",
      param: "messages",
    });
    const notFound = await client.models.retrieve("nope").catch((caught: unknown) => caught);
    expect(notFound).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("an error inside the stream reaches the SDK as an APIError", async () => {
    test.fake.enqueue({
      content: "partial answer that breaks",
      fault: { type: "error-line", afterChunks: 1, message: "model runner crashed" },
    });
    const stream = await client.chat.completions.create({ model: "default", messages: [{ role: "user", content: "x" }], stream: true });
    const error = await (async () => {
      for await (const _chunk of stream) {
        // drain
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String((error as Error).message)).toMatch(/crashed|failed/i);
  });
});
