// A small MCP server for tests, built with the official SDK.
// `node mcp-server.mjs` serves over stdio; `node mcp-server.mjs --http` serves streamable HTTP
// on 127.0.0.1 (a free port, printed to stdout as `listening <port>`).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

function buildServer() {
  const server = new McpServer({ name: "fixture-server", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echo the text back", inputSchema: { text: z.string().describe("Text to echo") } },
    async ({ text }) => ({ content: [{ type: "text", text: `echo: ${text}` }] }),
  );
  server.registerTool("add", { description: "Add two numbers", inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
    content: [{ type: "text", text: String(a + b) }],
    structuredContent: { sum: a + b },
  }));
  server.registerTool("fail", { description: "Always fails", inputSchema: {} }, async () => ({
    content: [{ type: "text", text: "the fixture failed on purpose" }],
    isError: true,
  }));
  server.registerTool("big", { description: "Returns a long text", inputSchema: { size: z.number() } }, async ({ size }) => ({
    content: [{ type: "text", text: "z".repeat(size) }],
  }));
  server.registerTool("slow", { description: "Waits until cancelled", inputSchema: {} }, async (_args, extra) => {
    await new Promise((resolve) => extra.signal.addEventListener("abort", resolve, { once: true }));
    return { content: [{ type: "text", text: "cancelled" }] };
  });
  server.registerTool("files.list", { description: "A name with a dot", inputSchema: {} }, async () => ({
    content: [
      { type: "text", text: "a.txt" },
      { type: "image", data: "aGVsbG8=", mimeType: "image/png" },
    ],
  }));
  return server;
}

if (process.argv.includes("--http")) {
  const sessions = new Map();
  const http = createServer(async (request, response) => {
    const sessionId = request.headers["mcp-session-id"];
    let transport = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
    if (!transport) {
      if (request.method !== "POST" || sessionId) {
        response.statusCode = sessionId ? 404 : 400;
        response.end();
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => sessions.set(id, transport),
      });
      transport.onclose = () => {
        if (transport.sessionId) {
          sessions.delete(transport.sessionId);
          process.stdout.write(`session closed ${transport.sessionId}\n`);
        }
      };
      await buildServer().connect(transport);
    }
    await transport.handleRequest(request, response);
  });
  http.listen(0, "127.0.0.1", () => process.stdout.write(`listening ${http.address().port}\n`));
} else {
  await buildServer().connect(new StdioServerTransport());
}
