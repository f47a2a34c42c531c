import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Tool } from "@corral/core";
import { callTool } from "@corral/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectMcp, type McpConnection } from "./connect-mcp.js";
import { McpConnectionError } from "./mcp-connection-error.js";

const fixture = fileURLToPath(new URL("../__fixtures__/mcp-server.mjs", import.meta.url));

function byName(connection: McpConnection): Record<string, Tool> {
  return Object.fromEntries(connection.tools.map((tool) => [tool.name, tool]));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("connectMcp over stdio", () => {
  let mcp: McpConnection;
  beforeAll(async () => {
    mcp = await connectMcp({ command: process.execPath, args: [fixture], timeoutMs: 5000 });
  });
  afterAll(async () => {
    await mcp.close();
  });

  it("lists the server's tools as corral tools with their JSON Schemas", () => {
    expect(mcp.server).toEqual({ name: "fixture-server", version: "1.0.0" });
    expect(mcp.tools.map((tool) => tool.name)).toEqual(["echo", "add", "fail", "big", "slow", "files_list"]);
    const echo = byName(mcp).echo!;
    expect(echo.description).toBe("Echo the text back");
    expect(echo.toSpec().function.parameters).toMatchObject({
      type: "object",
      properties: { text: { type: "string" } },
      required: ["text"],
    });
    expect(echo.toSpec().function.parameters).not.toHaveProperty("$schema");
  });

  it("calls tools, validating arguments with the server's schema", async () => {
    const tools = byName(mcp);
    expect((await callTool(tools.echo!, { text: "hi" })).content).toBe("echo: hi");
    expect((await callTool(tools.add!, { a: 2, b: "3" })).content).toBe("5"); // Ajv coerces "3"
    const invalid = tools.add!.parse({ a: 1 });
    expect(invalid.success).toBe(false);
    expect(invalid.success ? "" : invalid.error).toMatch(/must have required property 'b'/);
    expect((await callTool(tools.files_list!, {})).content).toBe("a.txt\n[image: image/png]");
  });

  it("turns a server-side error result into a thrown error for the model", async () => {
    expect(await callTool(byName(mcp).fail!, {})).toMatchObject({
      isError: true,
      content: expect.stringContaining("the fixture failed on purpose"),
    });
  });

  it("truncates long results, times out and cancels calls, and stops the server process on close", async () => {
    const own = await connectMcp({
      command: process.execPath,
      args: [fixture],
      include: ["big", "slow", "echo"],
      prefix: "fx",
      maxOutputChars: 100,
      timeoutMs: 300,
    });
    const tools = byName(own);
    expect(Object.keys(tools)).toEqual(["fx_echo", "fx_big", "fx_slow"]);
    expect((await callTool(tools.fx_big!, { size: 5000 })).content).toMatch(
      /^z{100}\n\[output truncated: 4900 more characters omitted; ask the tool for less\]$/,
    );
    expect(await callTool(tools.fx_slow!, {})).toMatchObject({ isError: true, content: expect.stringMatching(/timed out/i) });
    const controller = new AbortController();
    const pending = callTool(tools.fx_slow!, {}, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
    expect((await callTool(tools.fx_echo!, { text: "still alive" })).content).toBe("echo: still alive");

    const pid = own.pid;
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid!)).toBe(true);
    await own.close();
    await own.close();
    await expect.poll(() => isRunning(pid!)).toBe(false);
  });

  it("reports a server that cannot start, with its output", async () => {
    const error = await connectMcp({
      command: process.execPath,
      args: ["-e", "console.error('boom: missing config'); process.exit(3)"],
      connectTimeoutMs: 5000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpConnectionError);
    expect((error as McpConnectionError).code).toBe("mcp_connect_failed");
    expect((error as Error).message).toContain("boom: missing config");
    await expect(connectMcp({ command: "definitely-not-a-program-xyz" })).rejects.toThrow(/definitely-not-a-program-xyz.*ENOENT/);
    // A process that never speaks MCP: the connect time limit ends the wait.
    await expect(
      connectMcp({ command: process.execPath, args: ["-e", "setTimeout(() => {}, 60000)"], connectTimeoutMs: 300 }),
    ).rejects.toThrow(/timed out/i);
  });
});

describe("connectMcp over streamable HTTP", () => {
  let server: ChildProcess;
  let port: number;
  const lines: string[] = [];
  beforeAll(async () => {
    server = spawn(process.execPath, [fixture, "--http"], { stdio: ["ignore", "pipe", "inherit"] });
    const reader = createInterface({ input: server.stdout! });
    reader.on("line", (line) => lines.push(line));
    const [first] = (await once(reader, "line")) as [string];
    port = Number(/^listening (\d+)$/.exec(first)![1]);
  });
  afterAll(async () => {
    server.kill();
    await once(server, "exit");
  });

  it("lists and calls tools, and ends the session on close", async () => {
    const mcp = await connectMcp({ url: `http://127.0.0.1:${port}/mcp` });
    expect(mcp.tools.map((tool) => tool.name)).toContain("add");
    expect(mcp.pid).toBeUndefined();
    expect((await callTool(byName(mcp).add!, { a: 20, b: 22 })).content).toBe("42");
    expect(await callTool(byName(mcp).fail!, {})).toMatchObject({
      isError: true,
      content: expect.stringContaining("the fixture failed on purpose"),
    });
    await mcp.close();
    await expect.poll(() => lines.some((line) => line.startsWith("session closed "))).toBe(true);
  });

  it("reports an unreachable server", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const closedPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const error = await connectMcp({ url: `http://127.0.0.1:${closedPort}/mcp`, connectTimeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpConnectionError);
    await expect(connectMcp({ url: "not a url" })).rejects.toThrow(/the URL is not valid/);
  });
});
