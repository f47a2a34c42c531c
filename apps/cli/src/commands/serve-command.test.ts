import { describe, expect, it } from "vitest";
import { runInProcess } from "../test-support/buffer-io.js";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { CliProcess } from "../test-support/run-cli.js";

const workspace = useCliWorkspace({ writeDocs: false });

describe("corral serve", () => {
  it("serves the agents until Ctrl-C, then stops cleanly", async () => {
    const server = new CliProcess(["serve", "--port", "0", "--log-level", "silent"], {
      cwd: workspace.dir,
      env: { OLLAMA_HOST: workspace.fake.url },
    });
    await server.waitFor(/Listening on http:\/\/127\.0\.0\.1:\d+\n/);
    const url = /Listening on (\S+)/.exec(server.stdout)?.[1];
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    workspace.fake.enqueue({ content: "Hello from the agent." });
    const reply = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "default", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(
      "Hello from the agent.",
    );
    server.child.kill("SIGINT");
    const exit = await server.exited;
    expect(exit.code).toBe(0);
  });

  it("rejects a bad port with exit 2", async () => {
    const result = await runInProcess(["serve", "--port", "70000"], { cwd: workspace.dir, env: { OLLAMA_HOST: workspace.fake.url } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port must be a whole number/);
  });
});
