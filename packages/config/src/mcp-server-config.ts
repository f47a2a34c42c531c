import { z } from "zod";

const text = z.string().trim().min(1, "must be a non-empty string");

/** A tool name as the model calls it: letters, digits, `_` and `-`. */
export const toolNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a tool name (1-64 letters, digits, _ or -)");

/**
 * Tools that run without asking, by name (`write_file`, `edit_file`, `run_command`, or an MCP
 * tool). Every other tool that needs approval is asked about (`corral chat`, `corral ask` on a
 * terminal) or denied (`corral ask` without a terminal, the server).
 */
export const approveSchema = z.array(toolNameSchema);

/** A name of `mcpServers`: also the prefix of its tools when their names collide. */
export const mcpServerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/, "MCP server names use 1-48 letters, digits, . _ and -, starting with a letter or digit");

/**
 * One MCP server, written as other MCP hosts write it: `{ command, args, env, cwd }` starts it
 * as a child process over stdio; `{ url, headers }` talks to a running one over streamable
 * HTTP. `type` ("stdio" or "http") may be given, as some hosts write it.
 */
export const mcpServerConfigSchema = z
  .strictObject({
    $comment: z.string().optional(),
    /** "stdio" (with `command`) or "http" (with `url`); optional, inferred from the other fields. */
    type: z.enum(["stdio", "http", "streamable-http"]).optional(),
    /** The program that starts the server, e.g. "npx" or "node". */
    command: text.optional(),
    /** Its arguments. */
    args: z.array(z.string()).optional(),
    /** Environment variables added to a minimal default (PATH, HOME, ...): the server does not see corral's environment. */
    env: z.record(z.string(), z.string()).optional(),
    /** The server's working folder (relative: to the config file's folder). Default: the config file's folder. */
    cwd: text.optional(),
    /** The streamable HTTP endpoint of a running server, e.g. "http://127.0.0.1:3000/mcp". */
    url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
    /** Extra HTTP request headers, e.g. { "authorization": "Bearer ..." }. */
    headers: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((server, context) => {
    const stdio = server.command !== undefined;
    const http = server.url !== undefined;
    if (stdio === http) {
      context.addIssue({ code: "custom", message: 'give either "command" (a stdio server) or "url" (a streamable HTTP server)' });
      return;
    }
    const misplaced = stdio ? (["headers"] as const) : (["args", "env", "cwd"] as const);
    for (const key of misplaced) {
      if (server[key] !== undefined)
        context.addIssue({ code: "custom", path: [key], message: `is for ${stdio ? '"url"' : '"command"'} servers only` });
    }
    if (server.type && (server.type === "stdio") !== stdio)
      context.addIssue({ code: "custom", path: ["type"], message: `"${server.type}" does not match ${stdio ? '"command"' : '"url"'}` });
  });

/** One entry of `mcpServers`. */
export type McpServerConfig = z.output<typeof mcpServerConfigSchema>;
