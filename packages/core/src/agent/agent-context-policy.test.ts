import { type FakeModel, type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { chatBodies as chatBodiesOf, collect, ofType } from "../__fixtures__/helpers.js";
import { ContextOverflowError } from "../errors/context-overflow-error.js";
import type { Message } from "../model/message.js";
import { defineTool } from "../tool/define-tool.js";
import { Agent } from "./agent.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const chatBodies = () => chatBodiesOf(fake!);
const small = (extra: Partial<FakeModel> = {}): FakeModel => ({
  name: "small:1b",
  capabilities: ["completion"],
  contextLength: 32768,
  ...extra,
});

/** `turns` question/answer pairs of `characters` characters of prose each. */
function history(turns: number, characters: number): Message[] {
  const text = "lorem ipsum ".repeat(Math.ceil(characters / 12)).slice(0, characters);
  const messages: Message[] = [];
  for (let turn = 0; turn < turns; turn++) {
    messages.push({ role: "user", content: `question ${turn} ${text}` });
    messages.push({ role: "assistant", content: `answer ${turn} ${text}` });
  }
  return messages;
}

describe("the context policy", () => {
  it("sends a modest default (8192), not the trained length, on every call", async () => {
    fake = await startFakeOllama({ chat: [{ content: "a" }, { content: "b" }] });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    await agent.run("one");
    await agent.run("two");
    expect(chatBodies().map((body) => body.options.num_ctx)).toEqual([8192, 8192]);
  });

  it("honours the Modelfile's num_ctx, and the agent's options.num_ctx over it (capped at the trained length)", async () => {
    fake = await startFakeOllama({ models: [small({ parameters: { num_ctx: 2048 } })] });
    await new Agent({ model: "small:1b", host: fake.url }).run("a");
    await new Agent({ model: "small:1b", host: fake.url, options: { num_ctx: 16384 } }).run("b");
    await new Agent({ model: "small:1b", host: fake.url, options: { num_ctx: 65536 } }).run("c");
    expect(chatBodies().map((body) => body.options.num_ctx)).toEqual([2048, 16384, 32768]);
  });

  it("keeps room for thinking when the model thinks", async () => {
    fake = await startFakeOllama({ models: [small({ capabilities: ["completion", "thinking"], parameters: { num_ctx: 8192 } })] });
    const earlier = history(10, 1000);
    // ~5,000 estimated tokens: under 8192 - 2048 (answer), over 8192 - 2048 - 2048 (answer and thinking).
    const plain = await collect(new Agent({ model: "small:1b", host: fake.url, think: false }).stream("next", { messages: earlier }));
    expect(ofType(plain, "context-trimmed")).toEqual([]);
    const thinking = await collect(new Agent({ model: "small:1b", host: fake.url }).stream("next", { messages: earlier }));
    expect(ofType(thinking, "context-trimmed")[0]!.estimatedTokens).toBeLessThanOrEqual(8192 - 4096);
  });
});

describe("an input that cannot fit", () => {
  it("is refused before sending, with the tokens it needs and what to do", async () => {
    fake = await startFakeOllama({ models: [small({ parameters: { num_ctx: 2048 } })] });
    const agent = new Agent({ model: "small:1b", host: fake.url, instructions: "Be brief." });
    const error = await agent.run("lorem ipsum ".repeat(1000), { messages: history(3, 200) }).catch((e) => e);
    expect(error).toBeInstanceOf(ContextOverflowError);
    expect(error.code).toBe("context_overflow");
    expect(error.source).toBe("estimate");
    expect(error.numCtx).toBe(2048);
    expect(error.neededTokens).toBeGreaterThan(3000);
    expect(error.message).toMatch(
      /needs about \d+ tokens \(\d+ for the prompt \+ 512 kept free for the answer\), but the context window \(num_ctx\) is 2048/,
    );
    expect(error.message).toMatch(/Raise num_ctx to at least \d+ .*or shorten the input/);
    expect(error.message).toBe(
      `The input needs about ${error.neededTokens} tokens (${error.promptTokens} for the prompt + 512 kept free for the answer), ` +
        "but the context window (num_ctx) is 2048, even with older turns left out. Raise num_ctx to at least 4096 " +
        "(options.num_ctx in corral.config.json or the agent's options; the model must have the memory for it), or shorten the input.",
    );
    expect(fake.requestsTo("/api/chat")).toHaveLength(0);
  });
});

describe("truncation by Ollama", () => {
  it("warns when the reported prompt tokens show Ollama cut the prompt", async () => {
    // A tokenizer four times denser than corral's estimate: corral thinks the prompt fits, Ollama cuts it.
    fake = await startFakeOllama({
      models: [small({ contextOverflow: "truncate", charactersPerToken: 1, parameters: { num_ctx: 2048 } })],
    });
    const events = await collect(new Agent({ model: "small:1b", host: fake.url }).stream("lorem ipsum ".repeat(230)));
    const warning = ofType(events, "warning")[0];
    expect(warning).toMatchObject({ code: "prompt-truncated" });
    expect(warning!.message).toMatch(/evaluated 1026 tokens, about half of num_ctx 2048/);
    expect(ofType(events, "finish")).toHaveLength(1);
  });

  it("warns when a later step evaluated fewer tokens than the one before, although the prompt only grew", async () => {
    fake = await startFakeOllama({
      models: [
        small({ capabilities: ["completion", "tools"], contextOverflow: "truncate", charactersPerToken: 2, parameters: { num_ctx: 4096 } }),
      ],
      chat: [{ toolCalls: [{ name: "echo", arguments: {} }] }, { content: "done" }],
    });
    const echo = defineTool({ name: "echo", description: "Echoes", input: z.object({}), execute: () => "lorem ipsum ".repeat(40) });
    const agent = new Agent({ model: "small:1b", host: fake.url, tools: [echo] });
    const events = await collect(agent.stream("lorem ipsum ".repeat(645)));
    const [first, second] = ofType(events, "step-finish").map((event) => event.usage.inputTokens);
    expect(first).toBeGreaterThan(3000);
    expect(first).toBeLessThanOrEqual(4096);
    expect(second).toBe(4 + Math.floor((4096 - 4) / 2));
    expect(ofType(events, "warning").map((event) => [event.step, event.code])).toEqual([[2, "prompt-truncated"]]);
  });

  it("reads num_keep from the Modelfile to know what a cut prompt reports", async () => {
    fake = await startFakeOllama({
      models: [small({ contextOverflow: "truncate", charactersPerToken: 1, parameters: { num_ctx: 2048, num_keep: 500 } })],
    });
    const events = await collect(new Agent({ model: "small:1b", host: fake.url }).stream("lorem ipsum ".repeat(230)));
    expect(ofType(events, "warning")[0]!.message).toMatch(/evaluated 1274 tokens/);
  });

  it("never warns on prompts Ollama evaluated whole, whatever their size, images included", async () => {
    fake = await startFakeOllama({ contextOverflow: "truncate" });
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    for (const turns of [0, 1, 4, 8, 12, 16, 40]) {
      const events = await collect(agent.stream("the question", { messages: history(turns, 1000) }));
      expect(ofType(events, "warning"), `${turns} turns`).toEqual([]);
      expect(ofType(events, "finish"), `${turns} turns`).toHaveLength(1);
    }
    // Images: corral counts them high (768 each), Ollama's count is much lower; that is no cut.
    const pixel = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const seen = await collect(new Agent({ model: "gemma3:4b", host: fake.url }).stream({ text: "what?", images: [pixel, pixel, pixel] }));
    expect(ofType(seen, "warning")).toEqual([]);
  });

  it("trims harder and retries once when a native-mode model answers 400 for a long prompt", async () => {
    fake = await startFakeOllama({ models: [small({ contextOverflow: "reject", charactersPerToken: 2, parameters: { num_ctx: 4096 } })] });
    const events = await collect(new Agent({ model: "small:1b", host: fake.url }).stream("the question", { messages: history(10, 470) }));
    expect(ofType(events, "warning")[0]).toMatchObject({ code: "context-exceeded" });
    expect(ofType(events, "finish")).toHaveLength(1);
    const [first, second] = chatBodies();
    expect(second!.messages.length).toBeLessThan(first!.messages.length);
    expect(second!.messages.at(-1).content).toBe("the question");
    expect(second!.options.num_ctx).toBe(4096);
  });

  it("gives a ContextOverflowError when Ollama refuses the retry too", async () => {
    fake = await startFakeOllama({ models: [small({ contextOverflow: "reject", charactersPerToken: 1, parameters: { num_ctx: 2048 } })] });
    const error = await new Agent({ model: "small:1b", host: fake.url }).run("lorem ipsum ".repeat(200)).catch((e) => e);
    expect(error).toBeInstanceOf(ContextOverflowError);
    expect(error.source).toBe("ollama");
    expect(error.promptTokens).toBe(2404);
    expect(error.message).toMatch(/^Ollama refused it: The input needs about \d+ tokens/);
    expect(fake.requestsTo("/api/chat")).toHaveLength(2);
  });
});
