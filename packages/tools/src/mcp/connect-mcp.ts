import { defineTool, type JsonSchema, jsonSchema, type Tool } from "@corral/core";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { toolsVersion } from "../package-version.js";
import { abortReason } from "../shared/signal.js";
import { truncateOutput } from "../shared/truncate-output.js";
import { McpConnectionError } from "./mcp-connection-error.js";

/** Common options of both transports. */
interface McpCommonOptions {
  /** Prepended to every tool name (`prefix_toolname`) to keep servers apart. Default none. */
  prefix?: string;
  /** Only these tools (by their MCP name) are exposed. Default all. */
  include?: string[];
  /** Time limit of one tool call in ms. Default 60,000. */
  timeoutMs?: number;
  /** Time limit of connecting and listing tools in ms. Default 20,000. */
  connectTimeoutMs?: number;
  /** Characters of a result handed to the model before truncation with a note. Default 20,000. */
  maxOutputChars?: number;
  /** Whether calls need the agent's approval. Default false. */
  needsApproval?: boolean;
}

/** Start an MCP server as a child process and talk over its stdin/stdout. */
export interface McpStdioOptions extends McpCommonOptions {
  /** The program that starts the server, e.g. `"npx"` or `process.execPath`. */
  command: string;
  /** Its arguments. */
  args?: string[];
  /** Added to the SDK's safe default environment (PATH, HOME, ...). */
  env?: Record<string, string>;
  /** The server's working folder. Default this process's. */
  cwd?: string;
}

/** Talk to a running MCP server over streamable HTTP. */
export interface McpHttpOptions extends McpCommonOptions {
  /** The server's streamable HTTP endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
  url: string | URL;
  /** Extra request headers, e.g. `authorization`. */
  headers?: Record<string, string>;
}

/** Where the MCP server is. */
export type McpConnectOptions = McpStdioOptions | McpHttpOptions;

/** An open connection to an MCP server. */
export interface McpConnection {
  /** The server's tools as corral tools. */
  readonly tools: Tool[];
  /** The name and version the server reported. */
  readonly server: { name: string; version: string } | undefined;
  /** The server process's id (stdio only). */
  readonly pid: number | undefined;
  /** Ends the session and, for stdio, stops the server process. Safe to call twice. */
  close(): Promise<void>;
}

type McpContent = {
  type: string;
  text?: string;
  mimeType?: string;
  resource?: { uri?: string; text?: string };
  uri?: string;
  name?: string;
};

/**
 * Connects to an MCP server over stdio (`{ command, args }`) or streamable HTTP (`{ url }`)
 * and exposes its tools as corral tools, their input validated by Ajv against the server's
 * JSON Schema. A result the server flags as an error is thrown, so the agent hands it to the
 * model as a tool error.
 * @example
 * const mcp = await connectMcp({ command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] });
 * const agent = new Agent({ model: "qwen3:4b", tools: mcp.tools });
 * // ...
 * await mcp.close();
 */
export async function connectMcp(options: McpConnectOptions): Promise<McpConnection> {
  const isHttp = "url" in options && options.url !== undefined;
  const target = isHttp
    ? String((options as McpHttpOptions).url)
    : [(options as McpStdioOptions).command, ...((options as McpStdioOptions).args ?? [])].join(" ");
  // The SDK is loaded on first use, so importing @corral/tools stays light.
  const [{ Client }, { getDefaultEnvironment, StdioClientTransport }, { StreamableHTTPClientTransport }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/stdio.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
  ]);
  let transport: Transport;
  let stderrTail = "";
  if (isHttp) {
    const http = options as McpHttpOptions;
    let url: URL;
    try {
      url = new URL(http.url);
    } catch (error) {
      throw new McpConnectionError(target, "the URL is not valid.", { cause: error });
    }
    transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: http.headers ?? {} } });
  } else {
    const stdio = options as McpStdioOptions;
    if (!stdio.command) throw new McpConnectionError(target, "give either { command, args } or { url }.");
    const child = new StdioClientTransport({
      command: stdio.command,
      args: stdio.args ?? [],
      env: { ...getDefaultEnvironment(), ...(stdio.env ?? {}) },
      cwd: stdio.cwd,
      stderr: "pipe",
    });
    // Keep the end of the server's stderr: it usually says why a server failed to start.
    child.stderr?.on("data", (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString("utf8")).slice(-2000);
    });
    transport = child;
  }

  const client = new Client({ name: "corral", version: toolsVersion });
  const connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
  let listed: Awaited<ReturnType<Client["listTools"]>>["tools"] = [];
  try {
    await client.connect(transport, { timeout: connectTimeoutMs });
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: connectTimeoutMs });
      listed.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor && listed.length < 10_000);
  } catch (error) {
    await client.close().catch(() => undefined);
    const detail = stderrTail.trim() ? ` Server output: ${stderrTail.trim().slice(-500)}` : "";
    throw new McpConnectionError(target, `${(error as Error).message}.${detail}`, { cause: error });
  }
  if (options.include) {
    const wanted = new Set(options.include);
    listed = listed.filter((tool) => wanted.has(tool.name));
  }

  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxOutputChars = options.maxOutputChars ?? 20_000;
  const used = new Set<string>();
  const tools = listed.map((remote) => {
    const name = uniqueName(toolName(remote.name, options.prefix), used);
    const { $schema: _schema, $id: _id, ...schema } = (remote.inputSchema ?? { type: "object" }) as JsonSchema;
    return defineTool({
      name,
      description: remote.description ?? remote.title ?? remote.name,
      input: jsonSchema(schema),
      timeoutMs,
      needsApproval: options.needsApproval ?? false,
      async execute(args, context) {
        let result: Awaited<ReturnType<Client["callTool"]>>;
        try {
          result = await client.callTool({ name: remote.name, arguments: args }, undefined, { signal: context.signal, timeout: timeoutMs });
        } catch (error) {
          if (context.signal.aborted) throw abortReason(context.signal);
          throw new Error(`The MCP server failed to run "${remote.name}": ${(error as Error).message}`, { cause: error });
        }
        const text = renderContent((result.content ?? []) as McpContent[], result.structuredContent);
        if (result.isError) throw new Error(text || `The MCP tool "${remote.name}" reported an error.`);
        return truncateOutput(text, maxOutputChars, "ask the tool for less");
      },
    });
  });

  let closed = false;
  return {
    tools,
    pid: "pid" in transport ? ((transport as { pid: number | null }).pid ?? undefined) : undefined,
    server: client.getServerVersion() ? { name: client.getServerVersion()!.name, version: client.getServerVersion()!.version } : undefined,
    async close() {
      if (closed) return;
      closed = true;
      if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

function renderContent(content: McpContent[], structured: unknown): string {
  const parts = content.map((item) => {
    if (item.type === "text") return item.text ?? "";
    if (item.type === "image" || item.type === "audio") return `[${item.type}: ${item.mimeType ?? "unknown type"}]`;
    if (item.type === "resource") return item.resource?.text ?? `[resource: ${item.resource?.uri ?? "?"}]`;
    if (item.type === "resource_link") return `[resource: ${item.name ?? ""} ${item.uri ?? ""}]`.replace(/\s+]/, "]");
    return `[${item.type}]`;
  });
  if (parts.length === 0 && structured !== undefined) return JSON.stringify(structured);
  return parts.join("\n");
}

function toolName(remoteName: string, prefix: string | undefined): string {
  const cleaned = `${prefix ? `${prefix}_` : ""}${remoteName}`.replace(/[^A-Za-z0-9_-]/g, "_");
  return cleaned.slice(0, 64) || "tool";
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let index = 2; used.has(candidate); index++) candidate = `${name.slice(0, 60)}_${index}`;
  used.add(candidate);
  return candidate;
}
