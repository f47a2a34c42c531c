import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError } from "@corral/core";
import { createOllamaEmbedder, openIndex } from "@corral/rag";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CorralConfigInput, configSchema } from "./config-schema.js";
import { CITATION_INSTRUCTIONS, createAgentRuntime } from "./create-agent-runtime.js";

let fake: FakeOllama;
let dir: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  dir = await mkdtemp(path.join(tmpdir(), "corral-runtime-"));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function config(input: CorralConfigInput = {}) {
  return configSchema.parse({ ...input, ollama: { host: fake.url }, index: path.join(dir, input.index ?? "index") });
}

describe("createAgentRuntime", () => {
  it("builds the default agent with the default presets (math, time) and no docs when there is no index", async () => {
    const runtime = await createAgentRuntime(config(), { root: dir });
    expect(runtime.name).toBe("default");
    expect(runtime.index).toBeUndefined();
    expect(runtime.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["calculator", "current_time"]));
    expect(runtime.settings.model).toBe("qwen3:4b");
    fake.enqueue({ content: "Ready." });
    expect((await runtime.agent.run("hello")).text).toBe("Ready.");
    await runtime.close();
  });

  it("uses an agent's own model, instructions and tools", async () => {
    const runtime = await createAgentRuntime(
      config({ agents: { coder: { model: "llama3.2:3b", instructions: "Be terse.", tools: ["files"], docs: false, maxSteps: 3 } } }),
      { agent: "coder", root: dir },
    );
    expect(runtime.settings).toMatchObject({ model: "llama3.2:3b", tools: ["files"], maxSteps: 3 });
    expect(runtime.tools.map((tool) => tool.name)).toContain("read_file");
    expect(runtime.tools.map((tool) => tool.name)).not.toContain("calculator");
    fake.enqueue({ content: "Done." });
    await runtime.agent.run("list files");
    const sent = fake.requestsTo("/api/chat").at(-1)?.body as { model: string; messages: { role: string; content: string }[] };
    expect(sent.model).toBe("llama3.2:3b");
    expect(sent.messages[0]).toEqual({ role: "system", content: "Be terse." });
    await runtime.close();
  });

  it("an agent with docs gets the index, search_docs and instructions to cite [n]", async () => {
    const indexDir = path.join(dir, "docs-index");
    const seeded = await openIndex({
      dir: indexDir,
      embedder: createOllamaEmbedder({ model: "nomic-embed-text", host: fake.url }),
      root: dir,
    });
    await seeded.close();
    const runtime = await createAgentRuntime(config({ index: "docs-index", tools: [], agents: { default: { instructions: "Help." } } }), {
      root: dir,
    });
    expect(runtime.index).toBeDefined();
    expect(runtime.tools.map((tool) => tool.name)).toEqual(["search_docs"]);
    fake.enqueue({ content: "Nothing found." });
    await runtime.agent.run("what is in the docs?");
    const sent = fake.requestsTo("/api/chat").at(-1)?.body as { messages: { role: string; content: string }[] };
    expect(sent.messages[0]?.content).toBe(`Help.\n\n${CITATION_INSTRUCTIONS}`);
    await runtime.close();
    await runtime.close();
  });

  it("throws ConfigError for an unknown agent or tool preset", async () => {
    await expect(createAgentRuntime(config(), { agent: "nobody" })).rejects.toThrow(/Unknown agent "nobody".*default/);
    const error = await createAgentRuntime(config({ tools: ["maths"] }), { root: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('"maths"');
  });
});

describe("Ollama time limits from the config file", () => {
  it("the agent honours ollama.timeoutMs and ollama.idleTimeoutMs, and the error names the key", async () => {
    const hanging = await startFakeOllama({ faults: [{ type: "hang", path: "/api/chat", times: 1 }] });
    try {
      const limited = configSchema.parse({
        ollama: { host: hanging.url, timeoutMs: 300, idleTimeoutMs: 300 },
        index: path.join(dir, "none"),
        tools: [],
      });
      expect(limited.ollama).toEqual({ host: hanging.url, timeoutMs: 300, idleTimeoutMs: 300 });
      const runtime = await createAgentRuntime(limited, { root: dir });
      const error = await runtime.agent.run("hi").catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: "timeout", timeoutMs: 300, setting: "ollama.timeoutMs" });
      expect((error as Error).message).toContain("`ollama.timeoutMs`");

      await runtime.close();

      // A stream that stops after its first chunk, from a fake of its own: the idle limit answers. The
      // limit on the answer's start is kept far from it, so a slow start on a loaded machine cannot answer first.
      const stalling = await startFakeOllama({ chat: [{ content: "one two three", fault: { type: "stall", afterChunks: 1 } }] });
      try {
        const idleLimited = configSchema.parse({
          ollama: { host: stalling.url, timeoutMs: 30_000, idleTimeoutMs: 300 },
          index: path.join(dir, "none"),
          tools: [],
        });
        const idleRuntime = await createAgentRuntime(idleLimited, { root: dir });
        const idle = await idleRuntime.agent.run("hi").catch((caught: unknown) => caught);
        expect(idle).toMatchObject({ code: "timeout", timeoutMs: 300, setting: "ollama.idleTimeoutMs" });
        await idleRuntime.close();
      } finally {
        await stalling.close();
      }
    } finally {
      await hanging.close();
    }
  });
});

describe("ollama.hosts from the config file", () => {
  it("spreads the agent's model calls over the hosts, and survives one of them being down", async () => {
    const second = await startFakeOllama();
    const stopped = await startFakeOllama();
    await stopped.close();
    try {
      const spread = configSchema.parse({
        ollama: { hosts: [fake.url, second.url, stopped.url] },
        index: path.join(dir, "none"),
        tools: [],
      });
      const runtime = await createAgentRuntime(spread, { root: dir });
      const before = fake.requestsTo("/api/chat").length;
      for (let index = 0; index < 4; index++) await runtime.agent.run("hi");
      expect(fake.requestsTo("/api/chat").length - before).toBe(2);
      expect(second.requestsTo("/api/chat")).toHaveLength(2);
      await runtime.close();
    } finally {
      await second.close();
    }
  });
});
