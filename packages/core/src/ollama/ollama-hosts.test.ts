import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Agent } from "../agent/agent.js";
import { defineTool } from "../tool/define-tool.js";
import { createOllamaTransport } from "./ollama-transport.js";

let fakes: FakeOllama[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  fakes = [];
});

async function start(count: number, options: Parameters<typeof startFakeOllama>[0] = {}): Promise<FakeOllama[]> {
  const started = await Promise.all(Array.from({ length: count }, () => startFakeOllama(options)));
  fakes.push(...started);
  return started;
}

const user = [{ role: "user" as const, content: "hello" }];

describe("ollama.hosts: several Ollama hosts", () => {
  it("spreads chat and embedding requests over the hosts, the least busy first", async () => {
    const hosts = await start(3);
    const transport = createOllamaTransport({ hosts: hosts.map((fake) => fake.url) });
    expect(transport.hosts).toEqual(hosts.map((fake) => fake.url));
    await Promise.all(
      Array.from({ length: 6 }, () =>
        transport.request({ model: "qwen3:4b" }, (client) => client.chat({ model: "qwen3:4b", messages: user })),
      ),
    );
    expect(hosts.map((fake) => fake.requestsTo("/api/chat").length)).toEqual([2, 2, 2]);
    await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        transport.request({ model: "nomic-embed-text" }, (client) => client.embed({ model: "nomic-embed-text", input: [`text ${index}`] })),
      ),
    );
    expect(hosts.map((fake) => fake.requestsTo("/api/embed").length)).toEqual([2, 2, 2]);
  });

  it("avoids a host that is still busy with a request", async () => {
    const [busy, idle] = await start(2);
    busy!.addFault({ type: "hang", path: "/api/chat", times: 1 });
    const transport = createOllamaTransport({ hosts: [busy!.url, idle!.url] });
    const controller = new AbortController();
    const hung = transport
      .request({ model: "qwen3:4b", signal: controller.signal }, (client) => client.chat({ model: "qwen3:4b", messages: user }))
      .catch((error: unknown) => error);
    await expect.poll(() => busy!.requestsTo("/api/chat").length).toBe(1);
    for (let index = 0; index < 3; index++) {
      await transport.request({ model: "qwen3:4b" }, (client) => client.chat({ model: "qwen3:4b", messages: user }));
    }
    expect(idle!.requestsTo("/api/chat")).toHaveLength(3);
    controller.abort();
    expect(await hung).toMatchObject({ code: "aborted" });
    // Free again, it gets its share.
    await transport.request({ model: "qwen3:4b" }, (client) => client.chat({ model: "qwen3:4b", messages: user }));
    await transport.request({ model: "qwen3:4b" }, (client) => client.chat({ model: "qwen3:4b", messages: user }));
    expect(busy!.requestsTo("/api/chat")).toHaveLength(2);
  });

  it("sends a request to a host that has the model, and remembers which one lacks it", async () => {
    const [without] = await start(1, { models: [{ name: "llama3.2:3b", capabilities: ["completion", "tools"] }] });
    const [withModel] = await start(1);
    const transport = createOllamaTransport({ hosts: [without!.url, withModel!.url] });
    for (let index = 0; index < 4; index++) {
      const answer = await transport.request({ model: "qwen3:4b" }, (client) => client.chat({ model: "qwen3:4b", messages: user }));
      expect(answer.message.content).toBeTruthy();
    }
    expect(without!.requestsTo("/api/chat")).toHaveLength(1);
    expect(withModel!.requestsTo("/api/chat")).toHaveLength(4);
    // A model no host has is still a ModelNotFoundError.
    await expect(
      transport.request({ model: "missing:1b" }, (client) => client.chat({ model: "missing:1b", messages: user })),
    ).rejects.toMatchObject({ code: "model_not_found" });
  });

  it("keeps a run going when one host stops mid-run, and tries that host again later", async () => {
    const [first, second] = await start(2, {
      chat: (request) =>
        request.messages.some((message) => message.role === "tool")
          ? { content: "done" }
          : { toolCalls: [{ name: "stop_host", arguments: {} }] },
    });
    // The tool stops the host that did not serve the first step: the one the next step goes to.
    let stopped: FakeOllama | undefined;
    const stopHost = defineTool({
      name: "stop_host",
      description: "Stops an Ollama host.",
      input: z.object({}),
      execute: async () => {
        stopped = first!.requestsTo("/api/chat").length ? second! : first!;
        await stopped.close();
        return "stopped";
      },
    });
    const agent = new Agent({ model: "qwen3:4b", hosts: [first!.url, second!.url], tools: [stopHost] });
    const result = await agent.run("go");
    expect(result.text).toBe("done");
    expect(result.steps[0]!.toolResults[0]).toMatchObject({ isError: false, output: "stopped" });
    const survivor = stopped === first ? second! : first!;
    expect(stopped!.requestsTo("/api/chat")).toHaveLength(0);
    expect(survivor.requestsTo("/api/chat")).toHaveLength(2);
    const port = stopped!.port;

    // A stopped host is out: after it refused once, the next calls go to the other one without trying it first.
    // 2 s: restarting the fake and two calls took over 300 ms once on a loaded machine.
    const transport = createOllamaTransport({ hosts: [stopped!.url, survivor.url], hostRetryAfterMs: 2_000, retries: 0 });
    await transport.request({ model: "qwen3:4b" }, (client) => client.chat({ model: "qwen3:4b", messages: user }));
    const restarted = await startFakeOllama({ port });
    fakes.push(restarted);
    for (let index = 0; index < 2; index++) {
      await transport.request({ model: "qwen3:4b" }, (client) => client.chat({ model: "qwen3:4b", messages: user }));
    }
    expect(restarted.requestsTo("/api/chat")).toHaveLength(0);
    // Once the time is up it is tried again, and serves again.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    for (let index = 0; index < 4; index++) {
      await transport.request({ model: "qwen3:4b" }, (client) => client.chat({ model: "qwen3:4b", messages: user }));
    }
    expect(restarted.requestsTo("/api/chat").length).toBeGreaterThan(0);
  });
});
