import { Ollama } from "ollama";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeOllama, startFakeOllama } from "../start-fake-ollama.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("/api/generate", () => {
  it("streams `response` pieces and a final chunk with metrics and context", async () => {
    fake = await startFakeOllama({ chat: [{ thinking: "think", content: "Once upon a time" }] });
    const parts = [];
    for await (const part of await new Ollama({ host: fake.url }).generate({ model: "qwen3:4b", prompt: "story", stream: true }))
      parts.push(part);
    expect(parts.map((part) => part.response).join("")).toBe("Once upon a time");
    expect(parts[0]).toMatchObject({ thinking: "think", response: "", done: false });
    const last = parts.at(-1)!;
    expect(last).toMatchObject({ done: true, done_reason: "stop", response: "" });
    expect(last.context.length).toBeGreaterThan(0);
    expect(last.eval_count).toBeGreaterThan(0);
    expect(last.created_at).toBeDefined();
  });

  it("puts tool calls on the final object, feeds the script system+prompt as messages", async () => {
    const seen: unknown[] = [];
    fake = await startFakeOllama({
      chat: (request) => {
        seen.push({ endpoint: request.endpoint, messages: request.messages });
        return { content: "ok", toolCalls: [{ name: "lookup", arguments: { q: "x" } }] };
      },
    });
    const reply = await new Ollama({ host: fake.url }).generate({ model: "qwen3:4b", prompt: "find x", system: "be brief" });
    expect(reply.response).toBe("ok");
    expect((reply as unknown as { tool_calls: unknown }).tool_calls).toEqual([
      { id: expect.any(String), function: { index: 0, name: "lookup", arguments: { q: "x" } } },
    ]);
    expect(seen).toEqual([
      {
        endpoint: "/api/generate",
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "find x" },
        ],
      },
    ]);
  });

  it("loads on an empty prompt, unloads with keep_alive 0, and checks capabilities", async () => {
    fake = await startFakeOllama();
    const ollama = new Ollama({ host: fake.url });
    expect((await ollama.generate({ model: "qwen3:4b", prompt: "" })).done_reason).toBe("load");
    expect((await ollama.generate({ model: "qwen3:4b", prompt: "", keep_alive: 0 })).done_reason).toBe("unload");
    await expect(ollama.generate({ model: "nomic-embed-text", prompt: "x" })).rejects.toMatchObject({
      status_code: 400,
      error: '"nomic-embed-text" does not support generate',
    });
    await expect(ollama.generate({ model: "qwen3:4b", prompt: "x", suffix: "y" })).rejects.toMatchObject({
      status_code: 400,
      error: expect.stringContaining("does not support insert"),
    });
    await expect(ollama.generate({ model: "qwen3:4b", prompt: "x", raw: true, system: "s" })).rejects.toMatchObject({ status_code: 400 });
    await expect(ollama.generate({ model: "nope", prompt: "x" })).rejects.toMatchObject({
      status_code: 404,
      error: "model 'nope' not found",
    });
  });
});
