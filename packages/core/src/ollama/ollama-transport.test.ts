import { getEventListeners } from "node:events";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { drain } from "../__fixtures__/helpers.js";
import { AgentError } from "../errors/agent-error.js";
import { ModelCallError } from "../errors/model-call-error.js";
import { OllamaUnreachableError } from "../errors/ollama-unreachable-error.js";
import { TimeoutError } from "../errors/timeout-error.js";
import { createOllamaChatModel } from "./ollama-chat-model.js";
import { createOllamaTransport } from "./ollama-transport.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await fake?.close();
  fake = undefined;
});

const user = { messages: [{ role: "user" as const, content: "one two three four" }] };

/** Runs `work` while recording everything written to stdout, stderr and the console. */
async function captureOutput(work: () => Promise<unknown>): Promise<{ output: string[]; result: unknown }> {
  const output: string[] = [];
  const record = (...args: unknown[]) => {
    output.push(args.map(String).join(" "));
  };
  for (const method of ["log", "warn", "error", "info", "debug"] as const) vi.spyOn(console, method).mockImplementation(record);
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
    record(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => {
    record(chunk);
    return true;
  });
  try {
    const result = await work().catch((error: unknown) => error);
    return { output, result };
  } finally {
    vi.restoreAllMocks();
  }
}

describe("one transport per host", () => {
  it("shares one ollama client per host, and each call keeps its own limits on it", async () => {
    fake = await startFakeOllama({ chat: [{ content: "served" }] });
    const a = createOllamaTransport({ host: fake.url, timeoutMs: 1000, retries: 0 });
    const b = createOllamaTransport({ host: fake.url });
    expect(a.client).toBe(b.client);
    // A call gets a view of that client (its own fetch), not a new client.
    expect(Object.getPrototypeOf(a.clientFor({}))).toBe(a.client);
    expect(createOllamaTransport({ host: "http://127.0.0.1:1" }).client).not.toBe(a.client);

    fake.addFault({ type: "hang", path: "/api/chat", times: 1 });
    const hung = a.request({ model: "qwen3:4b" }, (client) => client.chat({ model: "qwen3:4b", ...user })).catch((error: unknown) => error);
    await vi.waitFor(() => expect(fake?.requestsTo("/api/chat")).toHaveLength(1));
    // The same client serves a call without that limit meanwhile.
    const served = await b.request({ model: "qwen3:4b" }, (client) => client.chat({ model: "qwen3:4b", ...user }));
    expect(served.message.content).toBe("served");
    expect(await hung).toBeInstanceOf(TimeoutError);
  });
});

describe("time limits", () => {
  it("ends a request Ollama never answers with a TimeoutError naming ollama.timeoutMs, without retrying", async () => {
    fake = await startFakeOllama();
    fake.addFault({ type: "hang", path: "/api/chat" });
    const model = createOllamaChatModel("qwen3:4b", { host: fake.url, timeoutMs: 200 });
    for (const call of [() => model.chat(user), () => drain(model.stream(user)).then((result) => Promise.reject(result.error))]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ code: "timeout", timeoutMs: 200, setting: "ollama.timeoutMs" });
      expect((error as Error).message).toMatch(/start answering \/api\/chat timed out after 200 ms/);
      expect((error as Error).message).toContain("`ollama.timeoutMs`");
    }
    expect(fake.requestsTo("/api/chat")).toHaveLength(2);
  });

  it("keeps the call's limit when the client awaits images before it sends", async () => {
    fake = await startFakeOllama({ faults: [{ type: "hang", path: "/api/chat" }] });
    const model = createOllamaChatModel("gemma3:4b", { host: fake.url, timeoutMs: 200 });
    const error = await model
      .chat({ messages: [{ role: "user", content: "what is this?", images: ["iVBORw0KGgo="] }] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "timeout", timeoutMs: 200 });
  });

  it("limits /api/show too", async () => {
    fake = await startFakeOllama({ faults: [{ type: "hang", path: "/api/show" }] });
    const error = await createOllamaChatModel("qwen3:4b", { host: fake.url, timeoutMs: 150 })
      .info?.()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "timeout", setting: "ollama.timeoutMs" });
  });

  it("ends a stream that goes silent after its headers with a TimeoutError naming ollama.idleTimeoutMs", async () => {
    fake = await startFakeOllama({ chat: [{ content: "one two three", fault: { type: "stall", afterChunks: 1 } }] });
    const model = createOllamaChatModel("qwen3:4b", { host: fake.url, idleTimeoutMs: 200 });
    const { text, error } = await drain(model.stream(user));
    expect(text).toBe("one ");
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 200, setting: "ollama.idleTimeoutMs" });
    expect((error as Error).message).toMatch(/went silent/);
  });

  it("limits a non-streamed body that never comes after its headers", async () => {
    fake = await startFakeOllama({ chat: [{ content: "x", fault: { type: "stall", afterChunks: 0 } }] });
    const error = await createOllamaChatModel("qwen3:4b", { host: fake.url, idleTimeoutMs: 150 })
      .chat(user)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "timeout", setting: "ollama.idleTimeoutMs" });
  });

  it("does not count a slow consumer against the idle limit", async () => {
    fake = await startFakeOllama({ chat: [{ content: "a b c" }] });
    const model = createOllamaChatModel("qwen3:4b", { host: fake.url, idleTimeoutMs: 100 });
    let text = "";
    for await (const part of model.stream(user)) {
      text += part.content;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(text).toBe("a b c");
  });
});

describe("nothing of the ollama client reaches stdout or stderr", () => {
  it("turns a text/plain error body into a typed error, silently", async () => {
    fake = await startFakeOllama({
      faults: [{ type: "status", status: 502, message: "upstream connect error", plain: true, path: "/api/chat" }],
    });
    const model = createOllamaChatModel("qwen3:4b", { host: fake.url, retries: 0 });
    const { output, result } = await captureOutput(() => model.chat(user));
    expect(output).toEqual([]);
    expect(result).toBeInstanceOf(ModelCallError);
    expect(result).toMatchObject({ status: 502 });
    expect((result as Error).message).toContain("upstream connect error");
    const streamed = await captureOutput(() => drain(model.stream(user)).then((r) => Promise.reject(r.error)));
    expect(streamed.output).toEqual([]);
    expect(streamed.result).toMatchObject({ status: 502 });
  });

  it("says a text/plain 404 is a wrong address or route, not a missing model", async () => {
    fake = await startFakeOllama({ faults: [{ type: "status", status: 404, message: "404 page not found", plain: true }] });
    const { output, result } = await captureOutput(() => createOllamaChatModel("qwen3:4b", { host: fake!.url }).chat(user));
    expect(output).toEqual([]);
    expect(result).toMatchObject({ code: "model_call_failed", status: 404 });
    expect((result as Error).message).toMatch(/OLLAMA_HOST/);
  });

  it("turns an invalid stream line into a typed error instead of a logged, skipped line", async () => {
    fake = await startFakeOllama({
      chat: [{ content: "a b c", fault: { type: "invalid-line", afterChunks: 1, line: "<html>proxy error" } }],
    });
    const model = createOllamaChatModel("qwen3:4b", { host: fake.url });
    const { output, result } = await captureOutput(() => drain(model.stream(user)));
    expect(output).toEqual([]);
    const { text, error } = result as { text: string; error: unknown };
    expect(text).toBe("a ");
    expect(error).toBeInstanceOf(ModelCallError);
    expect((error as Error).message).toContain('not JSON: "<html>proxy error"');
  });
});

describe("connection failures", () => {
  it("says a reset before the headers is a reset, not 'Cannot reach Ollama', and what to try", async () => {
    fake = await startFakeOllama({ faults: [{ type: "drop", afterChunks: 0, path: "/api/chat" }] });
    const error = await createOllamaChatModel("qwen3:4b", { host: fake.url })
      .chat(user)
      .catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(OllamaUnreachableError);
    expect(error).toBeInstanceOf(ModelCallError);
    expect((error as Error).message).not.toMatch(/Cannot reach/);
    expect((error as Error).message).toMatch(/closed it before answering/);
    expect((error as Error).message).toMatch(/smaller model|num_ctx/);
    // Tried once more on a new connection (a stale kept-alive socket fails the same way), then reported.
    expect(fake.requestsTo("/api/chat")).toHaveLength(2);
  });

  it("retries a refused connection, then says unreachable", async () => {
    const closed = await startFakeOllama();
    const url = closed.url;
    await closed.close();
    const started = Date.now();
    const error = await createOllamaTransport({ host: url, retries: 2, retryDelayMs: 1 })
      .request({}, (client) => client.version())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OllamaUnreachableError);
    expect(error).toBeInstanceOf(AgentError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("retries", () => {
  it("tries a reset before any byte once more, on a new connection", async () => {
    fake = await startFakeOllama({ faults: [{ type: "drop", afterChunks: 0, path: "/api/chat", times: 1 }] });
    const response = await createOllamaChatModel("qwen3:4b", { host: fake.url, retries: 0 }).chat(user);
    expect(response.message.content).toContain("one two three four");
    expect(fake.requestsTo("/api/chat")).toHaveLength(2);
  });

  it("retries 429 and 503 (busy), with backoff, until Ollama answers", async () => {
    fake = await startFakeOllama({ chat: [{ content: "after the queue" }] });
    fake.addFault({ type: "status", status: 429, message: "too many requests", path: "/api/chat", times: 1 });
    fake.addFault({ type: "status", status: 503, path: "/api/chat", times: 1 });
    const response = await createOllamaChatModel("qwen3:4b", { host: fake.url, retryDelayMs: 1 }).chat(user);
    expect(response.message.content).toBe("after the queue");
    expect(fake.requestsTo("/api/chat")).toHaveLength(3);
  });

  it("never retries once part of the answer arrived", async () => {
    fake = await startFakeOllama({ chat: [{ content: "a b c", fault: { type: "drop", afterChunks: 1 } }, { content: "unused" }] });
    const { text, error } = await drain(createOllamaChatModel("qwen3:4b", { host: fake.url }).stream(user));
    expect(text).toBe("a ");
    expect((error as Error).message).toMatch(/closed the connection in the middle of its answer/);
    expect(fake.requestsTo("/api/chat")).toHaveLength(1);
  });
});

describe("per-call work", () => {
  /** How many signals Node keeps registered with `signal` (what `AbortSignal.any` adds to a source). */
  const dependantsOf = (signal: AbortSignal): number => {
    const key = Object.getOwnPropertySymbols(signal).find((symbol) => symbol.description === "kDependantSignals");
    return (key ? (signal as unknown as Record<symbol, Set<unknown> | undefined>)[key]?.size : undefined) ?? 0;
  };

  it("leaves nothing on a long-lived caller signal once its calls are over", async () => {
    fake = await startFakeOllama({ chat: () => ({ content: "a b c" }) });
    const model = createOllamaChatModel("qwen3:4b", { host: fake.url });
    // One signal for many calls, as a sync or a chat session passes.
    const session = new AbortController();
    for (let index = 0; index < 10; index++) {
      await model.chat(user, { signal: session.signal });
      expect((await drain(model.stream(user, { signal: session.signal }))).text).toBe("a b c");
    }
    // Leaving a stream early ends its request too.
    for await (const _part of model.stream(user, { signal: session.signal })) break;
    expect(getEventListeners(session.signal, "abort")).toEqual([]);
    expect(dependantsOf(session.signal)).toBe(0);
  });

  it("does not abort a stream that was read to its end, and aborts one left early", async () => {
    const transport = createOllamaTransport({ host: "http://127.0.0.1:9" });
    const opened = (aborts: { count: number }) => async () => ({
      async *[Symbol.asyncIterator]() {
        yield 1;
        yield 2;
      },
      abort() {
        aborts.count++;
      },
    });
    const read = { count: 0 };
    const all: number[] = [];
    for await (const value of transport.stream({}, opened(read))) all.push(value);
    expect(all).toEqual([1, 2]);
    expect(read.count).toBe(0);
    const left = { count: 0 };
    for await (const _value of transport.stream({}, opened(left))) break;
    expect(left.count).toBe(1);
  });

  it("still ends a call when its signal aborts, before or while Ollama answers", async () => {
    fake = await startFakeOllama({ chat: [{ content: "one two three", fault: { type: "stall", afterChunks: 1 } }] });
    const model = createOllamaChatModel("qwen3:4b", { host: fake.url });
    const controller = new AbortController();
    const parts: string[] = [];
    const streamed = (async () => {
      for await (const part of model.stream(user, { signal: controller.signal })) {
        parts.push(part.content);
        controller.abort();
      }
    })();
    await expect(streamed).rejects.toMatchObject({ code: "aborted" });
    expect(parts).toEqual(["one "]);
    await expect(model.chat(user, { signal: controller.signal })).rejects.toMatchObject({ code: "aborted" });
    expect(getEventListeners(controller.signal, "abort")).toEqual([]);
  });
});

describe("a host that redirects", () => {
  it("still gets each call there, streamed or not (corral follows the redirect itself, method and body kept)", async () => {
    fake = await startFakeOllama({ chat: [{ content: "streamed there" }, { content: "answered there" }] });
    const target = fake.url;
    // A proxy in front of Ollama that sends every request on with a 307 (method and body kept).
    const proxy = createHttpServer((request, response) => {
      response.writeHead(307, { location: `${target}${request.url}` });
      response.end();
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    try {
      const model = createOllamaChatModel("qwen3:4b", { host: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, retries: 0 });
      expect(await drain(model.stream(user))).toEqual({ text: "streamed there" });
      expect((await model.chat(user)).message.content).toBe("answered there");
      expect(fake.requestsTo("/api/chat").map((request) => (request.body as { messages: unknown }).messages)).toEqual([
        user.messages,
        user.messages,
      ]);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
