import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;

beforeAll(async () => {
  test = await startTestServer();
});
afterAll(() => test.close());

describe("LangChain's ChatOpenAI pointed at the server", () => {
  it("invokes and streams", async () => {
    const model = new ChatOpenAI({ model: "default", apiKey: "unused", configuration: { baseURL: `${test.url}/v1` }, maxRetries: 0 });
    test.fake.enqueue({ content: "Hello from the agent." });
    const message = await model.invoke([{ role: "user", content: "Hi" }]);
    expect(message.content).toBe("Hello from the agent.");
    test.fake.enqueue({ content: "chunked reply over sse" });
    const chunks: string[] = [];
    for await (const chunk of await model.stream("Hi again")) chunks.push(String(chunk.content));
    expect(chunks.join("")).toBe("chunked reply over sse");
    expect(chunks.filter(Boolean).length).toBeGreaterThan(1);
  });
});
