import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { chatBodies as chatBodiesOf, collect, ofType } from "../__fixtures__/helpers.js";
import { ModelCapabilityError } from "../errors/model-capability-error.js";
import type { Message } from "../model/message.js";
import { InMemorySessionStore } from "../session/session-store.js";
import { Agent } from "./agent.js";

let fake: FakeOllama | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const chatBodies = () => chatBodiesOf(fake!);

describe("context length", () => {
  it("sends the trained length when it is below the default, and the same num_ctx on every call", async () => {
    fake = await startFakeOllama({
      models: [{ name: "small:1b", capabilities: ["completion"], contextLength: 4096 }],
      chat: [{ content: "a" }, { content: "b" }],
    });
    const agent = new Agent({ model: "small:1b", host: fake.url });
    await agent.run("one");
    await agent.run("two");
    expect(chatBodies().map((body) => body.options.num_ctx)).toEqual([4096, 4096]);

    const smaller = new Agent({ model: "small:1b", host: fake.url, defaultNumCtx: 2048 });
    fake.enqueue({ content: "c" });
    await smaller.run("three");
    expect(chatBodies()[2]!.options.num_ctx).toBe(2048);
  });

  it("trims the oldest turns instead of letting Ollama cut the prompt, and says so", async () => {
    fake = await startFakeOllama({
      models: [{ name: "small:1b", capabilities: ["completion"], contextLength: 2048 }],
      chat: [{ content: "fits" }],
    });
    const history: Message[] = [];
    for (let turn = 0; turn < 20; turn++) {
      history.push({ role: "user", content: `question ${turn} ${"lorem ipsum ".repeat(60)}` });
      history.push({ role: "assistant", content: `answer ${turn} ${"dolor sit ".repeat(60)}` });
    }
    const agent = new Agent({ model: "small:1b", host: fake.url, instructions: "The system prompt." });
    const events = await collect(agent.stream("the newest question", { messages: history }));
    const trimmed = ofType(events, "context-trimmed")[0]!;
    expect(trimmed.removedMessages).toBeGreaterThan(10);
    expect(trimmed.numCtx).toBe(2048);
    const sent = chatBodies()[0]!.messages as Message[];
    expect(sent[0]).toEqual({ role: "system", content: "The system prompt." });
    expect(sent.at(-1)!.content).toBe("the newest question");
    expect(sent.length).toBe(history.length + 2 - trimmed.removedMessages);
    expect(JSON.stringify(sent).length / 3.5).toBeLessThan(2048);
    // The saved history keeps everything.
    expect(ofType(events, "finish")[0]!.result.messages).toHaveLength(history.length + 3);
  });

  it("gives no warning when the prompt was evaluated whole", async () => {
    fake = await startFakeOllama({ chat: [{ content: "ok" }] });
    const events = await collect(new Agent({ model: "qwen3:4b", host: fake.url }).stream("hi"));
    expect(ofType(events, "warning")).toEqual([]);
  });
});

describe("images", () => {
  it("sends file paths, bytes and data URLs as raw base64", async () => {
    const dir = await mkdtemp(join(tmpdir(), "corral-img-"));
    const file = join(dir, "pixel.png");
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await writeFile(file, bytes);
    fake = await startFakeOllama({ chat: [{ content: "a pixel" }] });
    const agent = new Agent({ model: "gemma3:4b", host: fake.url });
    try {
      await agent.run({ text: "what is this?", images: [file, bytes, `data:image/png;base64,${bytes.toString("base64")}`] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const user = chatBodies()[0]!.messages.at(-1);
    expect(user.images).toEqual([bytes.toString("base64"), bytes.toString("base64"), bytes.toString("base64")]);
  });

  it("refuses images for a model without vision", async () => {
    fake = await startFakeOllama();
    const error = await new Agent({ model: "qwen3:4b", host: fake.url }).run({ text: "x", images: [Buffer.from("x")] }).catch((e) => e);
    expect(error).toBeInstanceOf(ModelCapabilityError);
    expect(error.capability).toBe("vision");
  });
});

describe("sessions", () => {
  it("keeps a conversation in a SessionStore between runs", async () => {
    fake = await startFakeOllama({ chat: [{ content: "Hi Ada." }, { content: "Your name is Ada." }] });
    const store = new InMemorySessionStore();
    const agent = new Agent({ model: "qwen3:4b", host: fake.url });
    const first = await agent.run("I am Ada.", { messages: (await store.load("s1")) ?? [] });
    await store.save("s1", first.messages);
    const second = await agent.run("What is my name?", { messages: await store.load("s1") });
    await store.save("s1", second.messages);
    expect((await store.load("s1"))!.map((m) => m.content)).toEqual(["I am Ada.", "Hi Ada.", "What is my name?", "Your name is Ada."]);
    expect(await store.delete("s1")).toBe(true);
    expect(await store.load("s1")).toBeUndefined();
  });
});
