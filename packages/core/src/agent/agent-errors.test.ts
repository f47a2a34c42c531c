import { createServer } from "node:net";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { collect, ofType } from "../__fixtures__/helpers.js";
import { AbortError } from "../errors/abort-error.js";
import { ModelCallError } from "../errors/model-call-error.js";
import { ModelCapabilityError } from "../errors/model-capability-error.js";
import { ModelNotFoundError } from "../errors/model-not-found-error.js";
import { OllamaUnreachableError } from "../errors/ollama-unreachable-error.js";
import { TimeoutError } from "../errors/timeout-error.js";
import { defineTool } from "../tool/define-tool.js";
import { Agent } from "./agent.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const noop = defineTool({ name: "noop", description: "does nothing", input: z.object({}), execute: () => "ok" });

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("transport failures", () => {
  it("retries a 503 before any byte, then succeeds", async () => {
    fake = await startFakeOllama({ chat: [{ content: "fine" }] });
    fake.addFault({ type: "status", status: 503, message: "server busy", path: "/api/chat", times: 2 });
    const result = await new Agent({ model: "qwen3:4b", host: fake.url }).run("hi");
    expect(result.text).toBe("fine");
    expect(fake.requestsTo("/api/chat")).toHaveLength(3);
  });

  it("does not retry a 500 (a failed model load) and says what to try", async () => {
    fake = await startFakeOllama({ chat: [{ content: "never" }] });
    fake.addFault({ type: "status", status: 500, message: "llama runner process has terminated: exit status 2", path: "/api/chat" });
    const error = await new Agent({ model: "qwen3:4b", host: fake.url, retries: 2 }).run("hi").catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ code: "model_call_failed", status: 500, isRetryable: false });
    expect(error.message).toContain("llama runner process has terminated");
    expect(error.message).toMatch(/smaller model/);
    expect(error.message).toMatch(/num_ctx/);
    expect(fake.requestsTo("/api/chat")).toHaveLength(1);
  });

  it("names the address when Ollama is unreachable", async () => {
    const port = await closedPort();
    const error = await new Agent({ model: "qwen3:4b", host: `127.0.0.1:${port}`, retries: 1 }).run("hi").catch((e) => e);
    expect(error).toBeInstanceOf(OllamaUnreachableError);
    expect(error.code).toBe("ollama_unreachable");
    expect(error.message).toContain(`http://127.0.0.1:${port}`);
    expect(error.message).toMatch(/OLLAMA_HOST/);
  });

  it("calls a port that fetch refuses outright unreachable too", async () => {
    const error = await new Agent({ model: "qwen3:4b", host: "127.0.0.1:9", retries: 0 }).run("hi").catch((e) => e);
    expect(error).toBeInstanceOf(OllamaUnreachableError);
    expect(error.message).toContain("http://127.0.0.1:9");
  });

  it("does not retry a missing model and says how to pull it", async () => {
    fake = await startFakeOllama();
    const error = await new Agent({ model: "llama9:70b", host: fake.url }).run("hi").catch((e) => e);
    expect(error).toBeInstanceOf(ModelNotFoundError);
    expect(error.message).toContain("ollama pull llama9:70b");
    expect(fake.requests.filter((r) => r.path === "/api/show" || r.path === "/api/chat")).toHaveLength(1);
  });

  it("fails fast when tools are offered to a model without the tools capability", async () => {
    fake = await startFakeOllama();
    const error = await new Agent({ model: "gemma3:4b", host: fake.url, tools: [noop] }).run("hi").catch((e) => e);
    expect(error).toBeInstanceOf(ModelCapabilityError);
    expect(error).toMatchObject({ code: "model_capability_missing", capability: "tools" });
    expect(fake.requestsTo("/api/chat")).toHaveLength(0);
  });

  it("maps Ollama's 400 'does not support tools' to the same typed error", async () => {
    fake = await startFakeOllama();
    const model = new Agent({ model: "gemma3:4b", host: fake.url }).model;
    const error = await model.chat({ messages: [{ role: "user", content: "x" }], tools: [noop.toSpec()] }).catch((e) => e);
    expect(error).toBeInstanceOf(ModelCapabilityError);
    expect(fake.requestsTo("/api/chat")).toHaveLength(1);
  });

  it("turns an error line inside a 200 stream into a typed error, not a hang", async () => {
    fake = await startFakeOllama({
      chat: [
        {
          content: "one two three four",
          fault: { type: "error-line", afterChunks: 2, message: "an error was encountered while running the model" },
        },
      ],
    });
    const events = await collect(new Agent({ model: "qwen3:4b", host: fake.url }).stream("hi"));
    const error = ofType(events, "error")[0]!.error;
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error.message).toContain("an error was encountered while running the model");
    expect(events.at(-1)!.type).toBe("error");
    expect(fake.requestsTo("/api/chat")).toHaveLength(1);
  });

  it("a failed run (not only an aborted one) carries the consistent history it had", async () => {
    fake = await startFakeOllama({
      chat: [{ toolCalls: [{ name: "noop", arguments: {} }] }, { fault: { type: "status", status: 500, message: "runner crashed" } }],
    });
    const error = await new Agent({ model: "qwen3:4b", host: fake.url, tools: [noop] }).run("go").catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error.messages?.map((m: { role: string }) => m.role)).toEqual(["user", "assistant", "tool"]);
    const [, assistant, tool] = error.messages!;
    expect(assistant.tool_calls[0].function.name).toBe("noop");
    expect(tool).toMatchObject({ role: "tool", tool_name: "noop", content: "ok", tool_call_id: assistant.tool_calls[0].id });
  });

  it("reports a connection dropped mid-stream", async () => {
    fake = await startFakeOllama({ chat: [{ content: "one two three four", fault: { type: "drop", afterChunks: 2 } }] });
    const error = await new Agent({ model: "qwen3:4b", host: fake.url }).run("hi").catch((e) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error.message).toMatch(/closed the connection in the middle of its answer/);
  });
});

describe("a hung Ollama", () => {
  it("gives up after headersTimeoutMs with a typed error, without retrying", async () => {
    fake = await startFakeOllama({ chat: [{ content: "x" }] });
    fake.addFault({ type: "hang", path: "/api/chat" });
    // Long enough for the fake to have taken the request on a loaded machine before the limit answers.
    const error = await new Agent({ model: "qwen3:4b", host: fake.url, headersTimeoutMs: 1500, retries: 1 }).run("hi").catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe("timeout");
    expect(error.message).toMatch(/1500 ms/);
    expect(fake.requestsTo("/api/chat")).toHaveLength(1);
  });
});

describe("abort", () => {
  it("ends a slow model stream promptly with a typed error", async () => {
    // 16 chunks 1 s apart: the whole answer would take 16 s; an abort after the first must end it long before.
    fake = await startFakeOllama({ chat: [{ content: "a b c d e f g h i j k l m n o p", fault: { type: "latency", ms: 1000 } }] });
    const controller = new AbortController();
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    const seen: string[] = [];
    const started = Date.now();
    const error = await (async () => {
      for await (const event of agent.stream("go", { signal: controller.signal })) {
        seen.push(event.type);
        if (event.type === "text-delta") controller.abort();
        if (event.type === "error") return event.error;
      }
    })();
    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(seen.filter((type) => type === "text-delta")).toHaveLength(1);
  });

  it("ends running tools, and the history stays consistent", async () => {
    let toolSignal: AbortSignal | undefined;
    const stuck = defineTool({
      name: "stuck",
      description: "never ends",
      input: z.object({}),
      execute: (_args, context) => {
        toolSignal = context.signal;
        return new Promise(() => {});
      },
    });
    fake = await startFakeOllama({
      chat: [
        {
          toolCalls: [
            { name: "stuck", arguments: {} },
            { name: "noop", arguments: {} },
          ],
        },
      ],
    });
    const controller = new AbortController();
    const agent = new Agent({ model: "qwen3:4b", host: fake.url, tools: [stuck, noop] });
    const running = agent.run("go", { signal: controller.signal });
    await expect.poll(() => toolSignal).toBeDefined();
    controller.abort();
    const error: AbortError = await running.catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.code).toBe("aborted");
    expect(toolSignal!.aborted).toBe(true);
    const history = error.messages!;
    const assistant = history.find((m) => m.tool_calls?.length)!;
    const answered = history.filter((m) => m.role === "tool").map((m) => m.tool_call_id);
    expect(answered.sort()).toEqual(assistant.tool_calls!.map((c) => c.id).sort());
  });

  it("rejects at once when the signal is already aborted", async () => {
    fake = await startFakeOllama({ chat: [{ content: "x" }] });
    const error = await new Agent({ model: "qwen3:4b", host: fake.url }).run("x", { signal: AbortSignal.abort() }).catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(fake.requestsTo("/api/chat")).toHaveLength(0);
  });
});
