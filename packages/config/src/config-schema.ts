import { DEFAULT_OLLAMA_IDLE_TIMEOUT_MS, DEFAULT_OLLAMA_TIMEOUT_MS, resolveOllamaHost } from "@corral/core";
import { z } from "zod";
import { approveSchema, mcpServerConfigSchema, mcpServerNameSchema } from "./mcp-server-config.js";
import { keepAliveSchema, modelOptionsSchema, thinkSchema } from "./model-settings-schema.js";
import { toolOptionsSchema } from "./tool-options-schema.js";

/** The built-in defaults, also the values a fresh `corral.config.json` starts from. */
export const DEFAULTS = {
  model: "qwen3:4b",
  embedModel: "nomic-embed-text",
  index: ".corral/index",
  tools: ["math", "time"],
  server: {
    host: "127.0.0.1",
    port: 8787,
    bodyLimit: 1_048_576,
    rateLimit: { max: 120, timeWindow: 60_000 },
    maxConcurrent: 4,
    maxQueue: 64,
    requestTimeoutMs: 300_000,
    sessionTtlDays: 30,
    maxConcurrentUploads: 1,
    maxUploadQueue: 8,
  },
} as const;

const name = z.string().trim().min(1, "must be a non-empty string");

/** One agent of the configuration file. Unset fields fall back to the top-level values. */
export const agentConfigSchema = z.strictObject({
  /** Free text for people reading the file; ignored. */
  $comment: z.string().optional(),
  /** Short description, shown by `GET /v1/models` and `corral serve`. */
  description: z.string().optional(),
  /** The chat model; default: the top-level `model`. */
  model: name.optional(),
  /** The system prompt. */
  instructions: z.string().optional(),
  /** Tool preset names; default: the top-level `tools`. */
  tools: z.array(name).optional(),
  /**
   * The agent's documents. A list of paths: they are what `corral index` syncs for this agent,
   * and the agent searches the index. `false`: no retrieval. Unset: retrieval when the index exists.
   */
  docs: z.union([z.array(name), z.literal(false)]).optional(),
  /** Model calls with tools before a final answer is forced. */
  maxSteps: z.number().int().min(1).max(100).optional(),
  /** Ollama `think`: true/false, or "low" | "medium" | "high" | "max" for models that take a level. Default: the top-level `think`. */
  think: thinkSchema.optional(),
  /** Ollama `options` (Ollama's names: num_ctx, temperature, top_p, seed, ...), merged over the top-level `options`. */
  options: modelOptionsSchema.optional(),
  /** Ollama `keep_alive` (seconds, or a duration such as "10m"). Default: the top-level `keepAlive`. */
  keepAlive: keepAliveSchema.optional(),
  /** Tools this agent runs without asking; replaces the top-level `approve`. */
  approve: approveSchema.optional(),
  /** The `mcpServers` this agent uses, by name; default: all of them. `[]`: none. */
  mcp: z.array(mcpServerNameSchema).optional(),
});

/** The HTTP server's settings (`corral serve`). */
export const serverConfigSchema = z.strictObject({
  $comment: z.string().optional(),
  /** Address to listen on. Anything beyond loopback needs an API key or `insecure: true`. */
  host: name.default(DEFAULTS.server.host),
  /** Port to listen on; 0 picks a free one. */
  port: z.number().int().min(0).max(65535).default(DEFAULTS.server.port),
  /** Accepted bearer keys. `CORRAL_API_KEY` (comma-separated) adds to them. No keys: no auth (loopback only). */
  apiKeys: z.array(z.string().min(16, "must be at least 16 characters long")).optional(),
  /**
   * Origins allowed to call the server from a browser: exact origins (`https://app.example`),
   * patterns with `*` (`http://localhost:*`, `chrome-extension://*`), or `"*"` for any. Unset:
   * CORS off, and a request carrying any other `Origin` than the server's own is refused (403).
   */
  cors: z.array(name).optional(),
  /**
   * Without API keys, the `Host` names (besides loopback names and the bound address) that
   * requests may carry; others are refused (403), against DNS rebinding. `*.example.com` matches
   * subdomains, `"*"` any name. Ignored when API keys are set.
   */
  allowedHosts: z.array(name).optional(),
  /** Listen beyond loopback without an API key. Dangerous: anyone who can reach the port can run the agents. */
  insecure: z.boolean().default(false),
  /** Largest accepted request body in bytes (413 above). */
  bodyLimit: z.number().int().min(1024).default(DEFAULTS.server.bodyLimit),
  /** Requests per key (or per address without keys) per time window (429 above). */
  rateLimit: z
    .strictObject({
      max: z.number().int().min(1).default(DEFAULTS.server.rateLimit.max),
      timeWindow: z.number().int().min(1).default(DEFAULTS.server.rateLimit.timeWindow),
    })
    .prefault({}),
  /** Runs that may call Ollama at the same time. */
  maxConcurrent: z.number().int().min(1).default(DEFAULTS.server.maxConcurrent),
  /** Runs that may wait for a slot; beyond it requests get 503. */
  maxQueue: z.number().int().min(0).default(DEFAULTS.server.maxQueue),
  /**
   * The agent that serves OpenAI- and Ollama-compatible requests whose `model` is not an agent
   * name, so existing clients work by changing only the port. `false`: such requests get 404.
   */
  modelFallback: z.union([name, z.literal(false)]).default("default"),
  /** Upper bound of one request, streams included. */
  requestTimeoutMs: z.number().int().min(1).default(DEFAULTS.server.requestTimeoutMs),
  /** Days a session is kept after its last run; expired sessions are gone (404) and deleted. */
  sessionTtlDays: z.number().positive().default(DEFAULTS.server.sessionTtlDays),
  /**
   * A `postgresql://` URL: keep sessions in PostgreSQL, shared by every replica on it (schema
   * created and migrated by corral), instead of the SQLite file. `CORRAL_DATABASE_URL` overrides it.
   */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .optional(),
  /** A `redis://` (or `rediss://`) URL: count the rate limit in Redis, shared by every replica. `CORRAL_REDIS_URL` overrides it. */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  /** Document uploads indexed at the same time. */
  maxConcurrentUploads: z.number().int().min(1).default(DEFAULTS.server.maxConcurrentUploads),
  /** Uploads that may wait for their turn; beyond it uploads get 503 with Retry-After. */
  maxUploadQueue: z.number().int().min(0).default(DEFAULTS.server.maxUploadQueue),
});

/**
 * The schema of `corral.config.json`. Unknown keys are errors (they are usually typos);
 * `$schema` and `$comment` keys are allowed for documentation.
 * @example
 * const config = configSchema.parse({ model: "llama3.2:3b" });
 */
export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    $comment: z.string().optional(),
    /** Where Ollama runs, and how long corral waits for it. */
    ollama: z
      .strictObject({
        $comment: z.string().optional(),
        /** Ollama's address (OLLAMA_HOST and --host override it). */
        host: name.optional(),
        /**
         * Several Ollama hosts to spread requests over, instead of `host`: each chat or embedding
         * request goes to the least busy host that has the model; a host that fails is left out
         * for 30 s, then tried again. OLLAMA_HOST and --host (one host) override it.
         */
        hosts: z.array(name).min(1).optional(),
        /**
         * Milliseconds Ollama may take to start answering a request (chat, embeddings, show, pull);
         * a model load and Ollama's queue count. Default 300000 (5 minutes).
         */
        timeoutMs: z.number().int().min(1).default(DEFAULT_OLLAMA_TIMEOUT_MS),
        /**
         * Milliseconds Ollama may stay silent inside an answer (between stream chunks). Ollama sends
         * nothing while it writes a tool call, so keep it generous. Default 300000 (5 minutes).
         */
        idleTimeoutMs: z.number().int().min(1).default(DEFAULT_OLLAMA_IDLE_TIMEOUT_MS),
      })
      .prefault({}),
    /** The default chat model. */
    model: name.default(DEFAULTS.model),
    /** The embedding model of the documents index. */
    embedModel: name.default(DEFAULTS.embedModel),
    /**
     * The documents index: a folder (relative paths: to the config file's folder), or a
     * `postgresql://` URL to keep the documents in PostgreSQL 15+ with pgvector 0.7+
     * (`?schema=name` picks the schema, default `corral_index`).
     */
    index: name.default(DEFAULTS.index),
    /** Ollama `options` of every agent (Ollama's names: num_ctx, temperature, top_p, seed, stop, ...). */
    options: modelOptionsSchema.optional(),
    /** Ollama `keep_alive` of every agent: seconds, or a duration such as "10m". */
    keepAlive: keepAliveSchema.optional(),
    /** Ollama `think` of every agent. */
    think: thinkSchema.optional(),
    /**
     * How docs sync reads folders (`corral index`, `chat --docs`, uploads): follow symlinks that leave the
     * synced folder (`followExternalSymlinks`, default false), read files with other hard links
     * (`allowHardLinks`, default false), folder depth (`maxDepth`, 32), files per sync
     * (`maxFiles`, 100,000), and the loader's bounds per file (`loadLimits`: `timeoutMs` 60,000, `memoryMb`
     * 1024, `maxPages` 2,000, `maxTextChars` 20,000,000).
     */
    sync: z
      .strictObject({
        $comment: z.string().optional(),
        followExternalSymlinks: z.boolean().optional(),
        allowHardLinks: z.boolean().optional(),
        maxDepth: z.number().int().min(1).optional(),
        maxFiles: z.number().int().min(1).optional(),
        loadLimits: z
          .strictObject({
            timeoutMs: z.number().int().min(100).optional(),
            memoryMb: z.number().int().min(64).optional(),
            maxPages: z.number().int().min(1).optional(),
            maxTextChars: z.number().int().min(1).optional(),
          })
          .optional(),
      })
      .optional(),
    /** Default tool presets of every agent. */
    tools: z.array(name).default([...DEFAULTS.tools]),
    /**
     * Options of the tool presets, passed to @corral/tools' createToolPreset: `files`
     * (`allowWrite`, `allowHidden`, `allowPaths`, `allowHardLinks`, limits), `web` (allowlist),
     * `math` (limits such as `maxMatrixElements`), `time` (`timeZone`), `shell`
     * (`allowedCommands`, required to enable it). Strict: unknown keys are errors.
     */
    toolOptions: toolOptionsSchema.prefault({}),
    /** Named agents; a `default` agent always exists. */
    agents: z
      .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "agent names use letters, digits, . _ : -"), agentConfigSchema)
      .default({}),
    server: serverConfigSchema.prefault({}),
    /**
     * Tools every agent runs without asking (an agent's own `approve` replaces this list).
     * `write_file`, `edit_file` and `run_command` need approval; without it they are asked about
     * or denied.
     */
    approve: approveSchema.default([]),
    /** MCP servers, as other MCP hosts write them: `{ command, args, env }` or `{ url, headers }`. */
    mcpServers: z.record(mcpServerNameSchema, mcpServerConfigSchema).default({}),
  })
  .superRefine((config, context) => {
    for (const [agent, settings] of Object.entries(config.agents)) {
      for (const [position, server] of (settings.mcp ?? []).entries()) {
        if (!Object.hasOwn(config.mcpServers, server)) {
          const known = Object.keys(config.mcpServers);
          context.addIssue({
            code: "custom",
            path: ["agents", agent, "mcp", position],
            message: `"${server}" is not in mcpServers (${known.length ? `configured: ${known.join(", ")}` : "none are configured"})`,
          });
        }
      }
    }
  })
  .transform((config, context) => {
    let host: string;
    try {
      host = resolveOllamaHost(config.ollama.host ?? "");
    } catch {
      context.addIssue({ code: "custom", path: ["ollama", "host"], message: `is not a valid address: "${config.ollama.host}"` });
      return z.NEVER;
    }
    const hosts: string[] = [];
    for (const [position, address] of (config.ollama.hosts ?? []).entries()) {
      try {
        hosts.push(resolveOllamaHost(address));
      } catch {
        context.addIssue({ code: "custom", path: ["ollama", "hosts", position], message: `is not a valid address: "${address}"` });
        return z.NEVER;
      }
    }
    const { timeoutMs, idleTimeoutMs } = config.ollama;
    return {
      ...config,
      ollama: { host, ...(hosts.length ? { hosts } : {}), timeoutMs, idleTimeoutMs } as {
        host: string;
        hosts?: string[];
        timeoutMs: number;
        idleTimeoutMs: number;
      },
      agents: { default: {}, ...config.agents } as Record<string, AgentConfig>,
    };
  });

/** The configuration after defaults are applied: what `loadConfig` returns. */
export type CorralConfig = z.output<typeof configSchema>;
/** What a `corral.config.json` may contain (every field optional). */
export type CorralConfigInput = z.input<typeof configSchema>;
/** One agent's settings. */
export type AgentConfig = z.output<typeof agentConfigSchema>;
/** The server's settings. */
export type ServerConfig = CorralConfig["server"];
