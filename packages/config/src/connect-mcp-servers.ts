import type { Tool } from "@corral/core";
import type { McpConnection } from "@corral/tools";
import type { McpServerConfig } from "./mcp-server-config.js";

/** Options of `connectMcpServers`. */
export interface ConnectMcpServersOptions {
  /** Tool names already taken (the agent's own tools): an MCP tool with one of them is prefixed. */
  reservedNames?: Iterable<string>;
  /** Called with one message per server that could not be started or reached. */
  onWarning: (message: string) => void;
}

/** The tools of the MCP servers that started, and a way to stop them all. */
export interface McpServersConnection {
  /** Every started server's tools, renamed `server_tool` where names collide. */
  tools: Tool[];
  /** The open connections, by server name. */
  connections: Map<string, McpConnection>;
  /** Stops every server (stdio processes end). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts (or connects to) the given MCP servers in parallel. A server that fails is reported
 * through `onWarning` (its name, command or URL, and why) and left out; the others are used.
 * Tools keep their MCP names unless two servers, or a server and a reserved name, share a
 * name: then each such MCP tool becomes `<server>_<name>`.
 */
export async function connectMcpServers(
  servers: Record<string, McpServerConfig>,
  options: ConnectMcpServersOptions,
): Promise<McpServersConnection> {
  const { connectMcp } = await import("@corral/tools");
  const entries = Object.entries(servers);
  const settled = await Promise.allSettled(
    entries.map(([, server]) =>
      server.url !== undefined
        ? connectMcp({ url: server.url, headers: server.headers })
        : connectMcp({ command: server.command ?? "", args: server.args, env: server.env, cwd: server.cwd }),
    ),
  );
  const connections = new Map<string, McpConnection>();
  for (const [position, outcome] of settled.entries()) {
    const [name, server] = entries[position]!;
    if (outcome.status === "fulfilled") connections.set(name, outcome.value);
    else {
      const target = server.url ?? [server.command, ...(server.args ?? [])].join(" ");
      const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      options.onWarning(`MCP server "${name}" (${target}) did not start; its tools are left out. ${reason}`);
    }
  }

  // How many times each name occurs among the reserved names and all servers' tools.
  const counts = new Map<string, number>();
  for (const name of options.reservedNames ?? []) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const connection of connections.values()) {
    for (const tool of connection.tools) counts.set(tool.name, (counts.get(tool.name) ?? 0) + 1);
  }
  const used = new Set(options.reservedNames ?? []);
  const tools: Tool[] = [];
  for (const [server, connection] of connections) {
    for (const tool of connection.tools) {
      let name = tool.name;
      if ((counts.get(name) ?? 0) > 1) name = `${server}_${tool.name}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
      for (let suffix = 2; used.has(name); suffix++) name = `${name.slice(0, 60)}_${suffix}`;
      used.add(name);
      tools.push(name === tool.name ? tool : renameTool(tool, name));
    }
  }

  let closed = false;
  return {
    tools,
    connections,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...connections.values()].map((connection) => connection.close()));
    },
  };
}

/** The same tool under another name (its spec follows). */
function renameTool(tool: Tool, name: string): Tool {
  return {
    ...tool,
    name,
    toSpec: () => ({ type: "function", function: { name, description: tool.description, parameters: tool.parameters } }),
  };
}
