import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError } from "@corral/core";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentRuntime } from "./create-agent-runtime.js";
import { loadConfig } from "./load-config.js";

let fake: FakeOllama;
let dir: string;
beforeAll(async () => {
  fake = await startFakeOllama();
  dir = await mkdtemp(path.join(tmpdir(), "corral-model-settings-"));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function load(content: unknown) {
  await writeFile(path.join(dir, "corral.config.json"), JSON.stringify(content));
  return loadConfig({ cwd: dir, env: { OLLAMA_HOST: fake.url } });
}

async function loadError(content: unknown): Promise<ConfigError> {
  const error = await load(content).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("model settings in the config file", () => {
  it("sends options, keepAlive and think from the top level, each agent overriding them", async () => {
    const { config } = await load({
      options: { temperature: 0.2, top_p: 0.9, stop: ["</end>"] },
      keepAlive: "10m",
      think: false,
      agents: {
        default: { docs: false, tools: [] },
        precise: { docs: false, tools: [], options: { temperature: 0, seed: 42, num_ctx: 4096 }, keepAlive: -1, think: "low" },
      },
    });
    fake.enqueue({ content: "a" }, { content: "b" });
    for (const agent of ["default", "precise"]) {
      const runtime = await createAgentRuntime(config, { agent, root: dir });
      await runtime.agent.run("hi");
      await runtime.close();
    }
    const [plain, precise] = fake.requestsTo("/api/chat").map((request) => request.body as Record<string, unknown>);
    expect(plain).toMatchObject({
      options: { temperature: 0.2, top_p: 0.9, stop: ["</end>"], num_ctx: 8192 },
      keep_alive: "10m",
      think: false,
    });
    expect(precise).toMatchObject({
      options: { temperature: 0, top_p: 0.9, stop: ["</end>"], seed: 42, num_ctx: 4096 },
      keep_alive: -1,
      think: "low",
    });
  });

  it("rejects a misspelt option, naming it and the option meant", async () => {
    const top = await loadError({ options: { tempreature: 0.2 } });
    expect(top.message).toContain('unknown field "tempreature" in "options" (did you mean "temperature"?)');
    const agent = await loadError({ agents: { default: { options: { numctx: 8192 } } } });
    expect(agent.message).toContain('unknown field "numctx" in "agents.default.options" (did you mean "num_ctx"?)');
  });

  it("rejects wrong types and Ollama values it would refuse", async () => {
    expect((await loadError({ options: { num_ctx: "8k" } })).message).toContain('"options.num_ctx"');
    expect((await loadError({ keepAlive: "300" })).message).toMatch(/"keepAlive": .*"300" needs a unit \("300s"\)/);
    expect((await loadError({ think: "maximum" })).message).toContain('"think"');
    expect((await loadError({ agents: { default: { options: { top_p: 2 } } } })).message).toContain('"agents.default.options.top_p"');
  });
});
