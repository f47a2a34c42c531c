import { Ollama } from "ollama";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type FakeOllama, startFakeOllama } from "../start-fake-ollama.js";
import type { LatencyFault } from "./fake-fault.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const request = (content = "one two three four") => ({ model: "qwen3:4b", messages: [{ role: "user", content }] });

/** Collects a streamed chat, returning the text seen before an error (or the end). */
async function streamChat(ollama: Ollama, content?: string): Promise<{ text: string; error?: Error }> {
  let text = "";
  try {
    for await (const part of await ollama.chat({ ...request(content), stream: true })) text += part.message.content;
    return { text };
  } catch (error) {
    return { text, error: error as Error };
  }
}

describe("faults", () => {
  it("latency holds each chunk; close() ends a delayed stream with an error, not a hang", async () => {
    fake = await startFakeOllama({ faults: [{ type: "latency", ms: 60_000, path: "/api/chat" }] });
    const ollama = new Ollama({ host: fake.url });
    let settled = false;
    const pending = ollama.chat({ ...request(), stream: true }).finally(() => {
      settled = true;
    });
    await vi.waitFor(() => expect(fake?.requestsTo("/api/chat")).toHaveLength(1));
    expect(settled).toBe(false);
    await fake.close();
    await expect(pending).rejects.toThrow();
  });

  it("a small latency still delivers the whole stream", async () => {
    fake = await startFakeOllama({ chat: [{ content: "slow but complete", fault: { type: "latency", ms: 2 } }] });
    expect(await streamChat(new Ollama({ host: fake.url }))).toEqual({ text: "slow but complete" });
  });

  /** When the client saw each chunk of an 8-word answer (9 chunks), holding the shared event loop for 150 ms at the second. */
  async function arrivalsAroundStall(fault: LatencyFault): Promise<number[]> {
    fake = await startFakeOllama({ chat: [{ content: "a b c d e f g h", fault }] });
    const arrivals: number[] = [];
    for await (const part of await new Ollama({ host: fake.url }).chat({ ...request(), stream: true })) {
      arrivals.push(performance.now());
      // The fake shares this event loop: hold it for three intervals once, as a busy machine would.
      if (arrivals.length === 2) {
        const until = performance.now() + 150;
        while (performance.now() < until) {}
      }
      if (part.done) break;
    }
    return arrivals;
  }

  it("latency waits its whole interval before every chunk, also after a stall", async () => {
    // Tests lean on it: a chunk, then time to act before the next. The third chunk leaves after the
    // stall and each of the six after it at least 50 ms after the one before.
    const arrivals = await arrivalsAroundStall({ type: "latency", ms: 50 });
    expect(arrivals).toHaveLength(9);
    expect((arrivals.at(-1) as number) - (arrivals[1] as number)).toBeGreaterThanOrEqual(150 + 6 * 50 - 10);
  });

  it("a steady latency paces chunks from the start of the stream: a stall catches up instead of pushing back every chunk after it", async () => {
    const arrivals = await arrivalsAroundStall({ type: "latency", ms: 50, steady: true });
    const gaps = arrivals.slice(2).map((at, index) => at - (arrivals[index + 1] ?? at));
    // The chunks that fell due during the stall leave at once; waiting 50 ms before each would keep every gap at 50 ms or more.
    expect(Math.min(...gaps)).toBeLessThan(25);
  });

  it("refuses a steady flag that is not a boolean, naming it", async () => {
    const fault = { type: "latency", ms: 5, steady: "yes" } as unknown as LatencyFault;
    await expect(startFakeOllama({ faults: [fault] })).rejects.toThrow(/"steady" must be true or false/);
  });

  it("drop destroys the socket mid-stream and the client errors", async () => {
    fake = await startFakeOllama({ chat: [{ content: "a b c d e", fault: { type: "drop", afterChunks: 2 } }] });
    const result = await streamChat(new Ollama({ host: fake.url }));
    expect(result.text).toBe("a b ");
    expect(result.error).toBeInstanceOf(Error);
  });

  it("drop after 0 chunks and drop on a non-streamed reply also error", async () => {
    fake = await startFakeOllama({ faults: [{ type: "drop", afterChunks: 0, path: "/api/chat", times: 2 }] });
    const ollama = new Ollama({ host: fake.url });
    const streamed = await streamChat(ollama);
    expect(streamed.text).toBe("");
    expect(streamed.error).toBeInstanceOf(Error);
    await expect(ollama.chat(request())).rejects.toThrow();
    // Used up after two requests.
    expect((await ollama.chat(request("ok"))).message.content).toContain("ok");
  });

  it("error-line sends an error line after N chunks and the client throws its message", async () => {
    fake = await startFakeOllama({
      chat: [
        { content: "a b c", fault: { type: "error-line", afterChunks: 1, message: "an error was encountered while running the model" } },
      ],
    });
    const response = await fetch(`${fake.url}/api/chat`, { method: "POST", body: JSON.stringify(request()) });
    expect(response.status).toBe(200);
    const lines = (await response.text()).trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toEqual({ error: "an error was encountered while running the model" });
    fake.enqueue({ content: "a b c", fault: { type: "error-line", afterChunks: 1, message: "runner died" } });
    const result = await streamChat(new Ollama({ host: fake.url }));
    expect(result.text).toBe("a ");
    expect(result.error?.message).toBe("runner died");
  });

  it("error-line on a non-streamed request becomes a 500", async () => {
    fake = await startFakeOllama({ chat: [{ content: "x", fault: { type: "error-line", afterChunks: 0, message: "boom" } }] });
    await expect(new Ollama({ host: fake.url }).chat(request())).rejects.toMatchObject({ status_code: 500, error: "boom" });
  });

  it("status faults answer before any byte, as often as `times` says, only on their path", async () => {
    fake = await startFakeOllama({
      chat: [{ content: "after the outage" }],
      faults: [
        { type: "status", status: 503, path: "/api/chat", times: 1 },
        { type: "status", status: 500, message: "llama runner process has terminated", path: "/api/chat", times: 1 },
      ],
    });
    const ollama = new Ollama({ host: fake.url });
    expect((await ollama.show({ model: "qwen3:4b" })).capabilities).toContain("tools");
    await expect(ollama.chat(request())).rejects.toMatchObject({ status_code: 503, error: expect.stringContaining("server busy") });
    const streamed = await streamChat(ollama);
    expect(streamed.error).toMatchObject({ status_code: 500, error: "llama runner process has terminated" });
    // Status faults consume no scripted turn.
    expect((await ollama.chat(request())).message.content).toBe("after the outage");
  });

  it("a fault on a turn uses up that turn; the next turn is served afterwards", async () => {
    fake = await startFakeOllama({ chat: [{ fault: { type: "status", status: 503 } }, { content: "retried" }] });
    const ollama = new Ollama({ host: fake.url });
    await expect(ollama.chat(request())).rejects.toMatchObject({ status_code: 503 });
    expect((await ollama.chat(request())).message.content).toBe("retried");
  });

  it("hang never answers until the fake closes, and the client then errors", async () => {
    fake = await startFakeOllama();
    fake.addFault({ type: "hang", path: "/api/chat", times: 1 });
    const ollama = new Ollama({ host: fake.url });
    let settled = false;
    const pending = ollama.chat(request()).finally(() => {
      settled = true;
    });
    await vi.waitFor(() => expect(fake?.requestsTo("/api/chat")).toHaveLength(1));
    // Other paths still answer while a request hangs.
    expect((await ollama.list()).models.length).toBeGreaterThan(0);
    expect(settled).toBe(false);
    await fake.close();
    await expect(pending).rejects.toThrow();
  });

  it("a hung request ends when the client aborts", async () => {
    fake = await startFakeOllama({ faults: [{ type: "hang", path: "/api/embed" }] });
    const controller = new AbortController();
    const ollama = new Ollama({ host: fake.url, fetch: (input, init) => fetch(input, { ...init, signal: controller.signal }) });
    const pending = ollama.embed({ model: "all-minilm", input: "x" });
    await vi.waitFor(() => expect(fake?.requestsTo("/api/embed")).toHaveLength(1));
    controller.abort();
    await expect(pending).rejects.toThrow();
  });

  it("faults apply to the other streaming endpoints too", async () => {
    fake = await startFakeOllama({ faults: [{ type: "error-line", afterChunks: 2, message: "disk full", path: "/api/pull" }] });
    const ollama = new Ollama({ host: fake.url });
    const statuses: string[] = [];
    await expect(
      (async () => {
        for await (const progress of await ollama.pull({ model: "tiny:1b", stream: true })) statuses.push(progress.status);
      })(),
    ).rejects.toThrow("disk full");
    expect(statuses).toHaveLength(2);
    expect(fake.models.some((model) => model.name === "tiny:1b")).toBe(false);
  });

  it("a global fault without a path applies to every path", async () => {
    fake = await startFakeOllama({ faults: [{ type: "status", status: 500, message: "down", times: 2 }] });
    const ollama = new Ollama({ host: fake.url });
    await expect(ollama.list()).rejects.toMatchObject({ status_code: 500 });
    await expect(ollama.embed({ model: "all-minilm", input: "x" })).rejects.toMatchObject({ status_code: 500 });
    expect((await ollama.list()).models.length).toBe(5);
  });
});

describe("faults for time limits and stray output", () => {
  it("stall sends the headers and some chunks, then stays silent until the client gives up", async () => {
    fake = await startFakeOllama({ chat: [{ content: "a b c d", fault: { type: "stall", afterChunks: 1 } }] });
    const controller = new AbortController();
    const response = await fetch(`${fake.url}/api/chat`, { method: "POST", body: JSON.stringify(request()), signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(JSON.parse(first.trim())).toMatchObject({ message: { content: "a " }, done: false });
    let settled = false;
    const next = reader.read().finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    controller.abort();
    await expect(next).rejects.toThrow();
  });

  it("stall on a non-streamed reply sends headers and no body", async () => {
    fake = await startFakeOllama({ faults: [{ type: "stall", afterChunks: 0, path: "/api/embed", times: 1 }] });
    const controller = new AbortController();
    const response = await fetch(`${fake.url}/api/embed`, {
      method: "POST",
      body: JSON.stringify({ model: "all-minilm", input: "x" }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const body = response.text();
    controller.abort();
    await expect(body).rejects.toThrow();
  });

  it("invalid-line writes a line that is not JSON and goes on; status with plain answers text/plain", async () => {
    fake = await startFakeOllama({
      chat: [{ content: "a b", fault: { type: "invalid-line", afterChunks: 1, line: "<html>oops" } }],
      faults: [{ type: "status", status: 502, message: "Bad Gateway", plain: true, path: "/api/tags", times: 1 }],
    });
    const lines = (await (await fetch(`${fake.url}/api/chat`, { method: "POST", body: JSON.stringify(request()) })).text()).split("\n");
    expect(lines[1]).toBe("<html>oops");
    expect(JSON.parse(lines.at(-2)!)).toMatchObject({ done: true });
    const tags = await fetch(`${fake.url}/api/tags`);
    expect(tags.status).toBe(502);
    expect(tags.headers.get("content-type")).toContain("text/plain");
    expect(await tags.text()).toBe("Bad Gateway");
    expect(() => fake?.addFault({ type: "invalid-line", afterChunks: 0, line: "a\nb" })).toThrow(/newline/);
  });
});
