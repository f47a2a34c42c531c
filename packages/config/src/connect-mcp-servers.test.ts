import { type ChildProcessByStdio, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CorralConfigInput, configSchema } from "./config-schema.js";
import { connectMcpServers } from "./connect-mcp-servers.js";
import { createAgentRuntime } from "./create-agent-runtime.js";
import { formatIssues } from "./format-issues.js";

// The MCP server fixture of @corral/tools, started over stdio with this Node.
const fixture = fileURLToPath(new URL("../../tools/src/__fixtures__/mcp-server.mjs", import.meta.url));
const stdioServer = { command: process.execPath, args: [fixture] };

let fake: FakeOllama;
let dir: string;
/** One streamable HTTP fixture server for the file: each test that uses it opens (and closes) its own session. */
let httpServer: ChildProcessByStdio<null, Readable, null>;
let httpUrl: string;

beforeAll(async () => {
  fake = await startFakeOllama();
  dir = await mkdtemp(path.join(tmpdir(), "corral-mcp-config-"));
  httpServer = spawn(process.execPath, [fixture, "--http"], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  httpServer.stdout.setEncoding("utf8");
  while (!/listening (\d+)/.test(output)) {
    const [chunk] = (await once(httpServer.stdout, "data")) as [string];
    output += chunk;
  }
  httpUrl = `http://127.0.0.1:${/listening (\d+)/.exec(output)?.[1]}/mcp`;
});
afterAll(async () => {
  httpServer.kill();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function config(input: CorralConfigInput) {
  return configSchema.parse({ tools: ["math"], ...input, ollama: { host: fake.url }, index: path.join(dir, "no-index") });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 100 && isRunning(pid); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isRunning(pid);
}

describe("mcpServers in the configuration", () => {
  it("starts a stdio server when the agent is built, gives the agent its tools by their MCP names, stops it on close", async () => {
    const warnings: string[] = [];
    const runtime = await createAgentRuntime(config({ mcpServers: { fixture: stdioServer } }), {
      root: dir,
      onWarning: (message) => warnings.push(message),
    });
    expect(warnings).toEqual([]);
    expect(runtime.tools.map((tool) => tool.name)).toEqual(["calculator", "echo", "add", "fail", "big", "slow", "files_list"]);
    const pid = runtime.mcp?.connections.get("fixture")?.pid;
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid!)).toBe(true);

    fake.enqueue({ toolCalls: [{ name: "echo", arguments: { text: "from the model" } }] }, { content: "It echoed." });
    const result = await runtime.agent.run("Echo something.");
    expect(result.text).toBe("It echoed.");
    expect(result.steps[0]?.toolResults[0]).toMatchObject({ toolName: "echo", isError: false, content: "echo: from the model" });
    const sent = fake.requestsTo("/api/chat").at(0)?.body as { tools: Array<{ function: { name: string } }> };
    expect(sent.tools.map((tool) => tool.function.name)).toContain("echo");

    await runtime.close();
    expect(await waitUntilGone(pid!)).toBe(true);
    await runtime.close();
  });

  it("a server that fails to start is a warning naming it, its command and the error; the agent still runs", async () => {
    const missing = path.join(dir, "no-such-mcp-server");
    const warnings: string[] = [];
    const runtime = await createAgentRuntime(
      config({ mcpServers: { broken: { command: missing, args: ["--stdio"] }, fixture: stdioServer } }),
      {
        root: dir,
        onWarning: (message) => warnings.push(message),
      },
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`MCP server "broken" (${missing} --stdio) did not start; its tools are left out.`);
    expect(warnings[0]).toMatch(/ENOENT/);
    expect(runtime.warnings).toEqual(warnings);
    expect(runtime.tools.map((tool) => tool.name)).toContain("echo");
    fake.enqueue({ content: "Still here." });
    expect((await runtime.agent.run("hello")).text).toBe("Still here.");
    await runtime.close();
  });

  it("prefixes a tool with its server's name only when two servers share the name", async () => {
    const both = config({ mcpServers: { one: stdioServer, two: stdioServer }, agents: { solo: { mcp: ["two"] }, none: { mcp: [] } } });
    const runtime = await createAgentRuntime(both, { root: dir, onWarning: () => undefined });
    const names = runtime.tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(["one_echo", "two_echo", "one_add", "two_files_list", "calculator"]));
    expect(names).not.toContain("echo");
    expect(runtime.tools.find((tool) => tool.name === "two_echo")?.toSpec().function.name).toBe("two_echo");

    fake.enqueue({ toolCalls: [{ name: "two_echo", arguments: { text: "renamed" } }] }, { content: "ok" });
    const result = await runtime.agent.run("Echo.");
    expect(result.steps[0]?.toolResults[0]).toMatchObject({ toolName: "two_echo", content: "echo: renamed", isError: false });
    const pids = [...(runtime.mcp?.connections.values() ?? [])].map((connection) => connection.pid!);
    expect(pids).toHaveLength(2);
    await runtime.close();
    for (const pid of pids) expect(await waitUntilGone(pid)).toBe(true);

    const solo = await createAgentRuntime(both, { agent: "solo", root: dir });
    expect(solo.tools.map((tool) => tool.name)).toContain("echo");
    expect([...(solo.mcp?.connections.keys() ?? [])]).toEqual(["two"]);
    await solo.close();
    const none = await createAgentRuntime(both, { agent: "none", root: dir });
    expect(none.mcp).toBeUndefined();
    expect(none.tools.map((tool) => tool.name)).toEqual(["calculator"]);
    await none.close();
  });

  it("prefixes an MCP tool whose name one of the agent's own tools already has", async () => {
    // Over HTTP (the file's one server) rather than a new stdio process: the naming does not depend on the transport.
    const mcp = await connectMcpServers(
      { fixture: { url: httpUrl } },
      { reservedNames: ["echo", "search_docs"], onWarning: () => undefined },
    );
    try {
      expect(mcp.tools.map((tool) => tool.name)).toEqual(["fixture_echo", "add", "fail", "big", "slow", "files_list"]);
    } finally {
      await mcp.close();
    }
  });

  it("connects to a streamable HTTP server by its url", async () => {
    const runtime = await createAgentRuntime(config({ mcpServers: { remote: { url: httpUrl, headers: { "x-corral-test": "1" } } } }), {
      root: dir,
    });
    expect(runtime.tools.map((tool) => tool.name)).toContain("add");
    fake.enqueue({ toolCalls: [{ name: "add", arguments: { a: 20, b: 22 } }] }, { content: "42." });
    const result = await runtime.agent.run("Add.");
    expect(result.steps[0]?.toolResults[0]).toMatchObject({ toolName: "add", content: "42", isError: false });
    await runtime.close();
  });

  it("sends the configured headers, and an HTTP server that refuses is a warning naming its URL", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const refusing = createServer((request, response) => {
      seen.push(request.headers);
      response.statusCode = 401;
      response.end("no");
    });
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    const address = refusing.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/mcp`;
    try {
      const warnings: string[] = [];
      const runtime = await createAgentRuntime(
        config({ mcpServers: { guarded: { url, headers: { authorization: "Bearer test-token" } } } }),
        {
          root: dir,
          onWarning: (message) => warnings.push(message),
        },
      );
      await runtime.close();
      expect(seen[0]?.authorization).toBe("Bearer test-token");
      expect(warnings).toEqual([expect.stringContaining(`MCP server "guarded" (${url}) did not start`)]);
      expect(runtime.tools.map((tool) => tool.name)).toEqual(["calculator"]);
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
    }
  });

  it("rejects entries that are neither stdio nor HTTP, misplaced fields, and agents naming unknown servers", () => {
    const issues = (input: unknown) => {
      const parsed = configSchema.safeParse(input);
      return parsed.success ? "" : formatIssues(parsed.error);
    };
    expect(issues({ mcpServers: { a: { command: "x", url: "http://127.0.0.1:1/mcp" } } })).toMatch(
      /"mcpServers\.a": give either "command" \(a stdio server\) or "url"/,
    );
    expect(issues({ mcpServers: { a: {} } })).toMatch(/give either "command"/);
    expect(issues({ mcpServers: { a: { command: "x", headers: { a: "b" } } } })).toMatch(
      /"mcpServers\.a\.headers": is for "url" servers only/,
    );
    expect(issues({ mcpServers: { a: { url: "file:///etc/passwd" } } })).toMatch(/"mcpServers\.a\.url": must be an http/);
    expect(issues({ mcpServers: { a: { command: "x", comand: "y" } } })).toMatch(/unknown field "comand"/);
    expect(issues({ mcpServers: { a: { command: "x" } }, agents: { b: { mcp: ["c"] } } })).toMatch(
      /"agents\.b\.mcp\.0": "c" is not in mcpServers \(configured: a\)/,
    );
    const parsed = configSchema.parse({
      mcpServers: {
        files: { type: "stdio", command: "npx", args: ["-y", "server"], env: { TOKEN: "t" } },
        remote: { url: "https://x.example/mcp" },
      },
    });
    expect(parsed.mcpServers.remote).toEqual({ url: "https://x.example/mcp" });
  });
});
