import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { bufferIo, runInProcess } from "../test-support/buffer-io.js";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { CliProcess } from "../test-support/run-cli.js";

const workspace = useCliWorkspace({ writeDocs: false });

/** Runs `corral serve` in-process, answers one request, stops it as Ctrl-C would, and returns its stderr. */
async function serveOnce(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stderr: string }> {
  const { main } = await import("../main.js");
  let interrupt: (() => void) | undefined;
  const io = { ...bufferIo({ cwd: workspace.dir, env: { OLLAMA_HOST: workspace.fake.url, ...env } }) };
  io.onInterrupt = (listener) => {
    interrupt = listener;
    return () => undefined;
  };
  const exited = main(["serve", "--port", "0", ...args], io);
  let url: string | undefined;
  for (let waited = 0; !url && waited < 30_000; waited += 20) {
    url = /Listening on (\S+)/.exec(io.out())?.[1];
    if (!url) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(url).toBeDefined();
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  interrupt?.();
  return { code: await exited, stderr: io.err() };
}

/** The pino levels of the JSON log lines in `stderr`. */
function logLevels(stderr: string): number[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => (JSON.parse(line) as { level: number }).level);
}

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

  it("logs at CORRAL_LOG_LEVEL when --log-level is not given, and --log-level wins over it", async () => {
    const quiet = await serveOnce([], { CORRAL_LOG_LEVEL: "warn" });
    expect(quiet.code).toBe(0);
    expect(logLevels(quiet.stderr).filter((level) => level < 40)).toEqual([]);

    const flagged = await serveOnce(["--log-level", "info"], { CORRAL_LOG_LEVEL: "warn" });
    expect(flagged.code).toBe(0);
    expect(logLevels(flagged.stderr)).toContain(30);
  });

  it("rejects an unknown CORRAL_LOG_LEVEL with exit 2, naming the variable", async () => {
    const result = await runInProcess(["serve", "--port", "0"], {
      cwd: workspace.dir,
      env: { OLLAMA_HOST: workspace.fake.url, CORRAL_LOG_LEVEL: "loud" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/CORRAL_LOG_LEVEL must be one of fatal, error, warn, info/);
  });

  it("exits 1 naming host, port and database (not the password) when CORRAL_DATABASE_URL cannot be reached", async () => {
    // A port nothing listens on: the OS gave it a moment ago and it was closed again.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const result = await runInProcess(["serve", "--port", "0"], {
      cwd: workspace.dir,
      env: { OLLAMA_HOST: workspace.fake.url, CORRAL_DATABASE_URL: `postgresql://corral:never-shown-pw@127.0.0.1:${port}/teamdb` },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Cannot reach PostgreSQL at 127.0.0.1:${port}/teamdb`);
    expect(result.stderr).not.toContain("never-shown-pw");
  });

  it("with OTEL_EXPORTER_OTLP_ENDPOINT, sends the run's spans to that OTLP receiver, flushed when it stops", async () => {
    const bodies: string[] = [];
    const receiver = createHttpServer((request, response) => {
      let body = "";
      request.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
      });
      request.on("end", () => {
        if (request.method === "POST" && request.url === "/v1/traces") bodies.push(body);
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const server = new CliProcess(["serve", "--port", "0", "--log-level", "silent"], {
        cwd: workspace.dir,
        env: {
          OLLAMA_HOST: workspace.fake.url,
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
        },
      });
      await server.waitFor(/Listening on http:\/\/127\.0\.0\.1:\d+\n/);
      const url = /Listening on (\S+)/.exec(server.stdout)?.[1];
      workspace.fake.enqueue({ content: "Traced.", promptEvalCount: 12, evalCount: 2 });
      const reply = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "default", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(reply.status).toBe(200);
      server.child.kill("SIGINT");
      expect((await server.exited).code).toBe(0);
      const spans = bodies.flatMap((body) =>
        (JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] }).resourceSpans.flatMap((resource) =>
          resource.scopeSpans.flatMap((scope) => scope.spans),
        ),
      );
      expect(spans.map((span) => span.name.split(" ")[0]).sort()).toEqual(["chat", "invoke_agent"]);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
