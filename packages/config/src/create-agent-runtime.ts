import { Agent, type ApprovalRequest, ConfigError, createOllamaChatModel, type Tool } from "@corral/core";
import type { openIndex } from "@corral/rag";
import type { AgentConfig, CorralConfig } from "./config-schema.js";
import { connectMcpServers, type McpServersConnection } from "./connect-mcp-servers.js";
import { configuredIndexExists, openConfiguredIndex } from "./open-configured-index.js";

/** The index type `openIndex` resolves to. */
export type DocumentIndex = Awaited<ReturnType<typeof openIndex>>;

/** Options of `createAgentRuntime`. */
export interface AgentRuntimeOptions {
  /** Which agent of `config.agents`. Default `"default"`. */
  agent?: string;
  /** Open the index read-only (the server and `corral ask`). Default false. */
  readOnlyIndex?: boolean;
  /** The project folder: root of the `files` and `shell` tools; index paths are stored relative to it. Default `process.cwd()`. */
  root?: string;
  /**
   * An index that is already open (a server shares one among its agents). It is used when the
   * agent has docs, and `close()` leaves it open.
   */
  index?: DocumentIndex;
  /**
   * Decides calls that need approval and that the configuration's `approve` does not allow
   * (the CLI asks the user). Without it such calls are denied, and the model is told so.
   */
  approve?: (request: ApprovalRequest) => boolean | Promise<boolean>;
  /**
   * Problems that do not stop the agent: an MCP server that did not start, an `approve` entry
   * that names none of the agent's tools. Default: `process.emitWarning`.
   */
  onWarning?: (message: string) => void;
  /**
   * Starts the model's look-up (Ollama's `/api/show`, which the agent makes before its first call) at once,
   * so that it runs while the tools load, the index opens and MCP servers start instead of after them
   * (`corral ask` sets it). The agent's first call uses the answer; a failed look-up is not kept, and the
   * first call asks again and reports the error. Default false: nothing is sent until the first run.
   */
  prefetchModelInfo?: boolean;
  /** Aborts the early look-up of `prefetchModelInfo`; pass the signal the first run will use. */
  signal?: AbortSignal;
}

/** An agent assembled from the configuration, with what it holds open. */
export interface AgentRuntime {
  /** The agent's name in the configuration. */
  name: string;
  /** The agent's settings after defaults. */
  settings: AgentConfig & { model: string; tools: string[] };
  agent: Agent;
  /** The documents index, when the agent has docs. */
  index?: DocumentIndex;
  /** Every tool the agent may call (presets, then `search_docs`, then MCP tools). */
  tools: Tool[];
  /** Tools that run without asking (the agent's `approve`, else the top-level one). */
  approved: string[];
  /** The MCP servers the agent uses that started (stopped by `close()`). */
  mcp?: McpServersConnection;
  /** The warnings reported while building the agent. */
  warnings: string[];
  /** Closes the index and stops the agent's MCP servers. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * An agent's model settings: its `options` merged over the top-level ones (key by key), and its `keepAlive`
 * and `think`, else the top-level ones.
 * @example
 * agentModelSettings(config, config.agents.default!); // { options: { temperature: 0.2 }, keepAlive: "10m" }
 */
export function agentModelSettings(config: CorralConfig, settings: AgentConfig): Pick<AgentConfig, "options" | "keepAlive" | "think"> {
  const options = config.options || settings.options ? { ...config.options, ...settings.options } : undefined;
  const keepAlive = settings.keepAlive ?? config.keepAlive;
  const think = settings.think ?? config.think;
  return {
    ...(options ? { options } : {}),
    ...(keepAlive !== undefined ? { keepAlive } : {}),
    ...(think !== undefined ? { think } : {}),
  };
}

/** Instructions added when the agent searches documents. */
export const CITATION_INSTRUCTIONS =
  "You can search the user's documents with the search_docs tool. Search before answering questions about them. " +
  "Base your answer on the results, cite the sources you use as [n] with the result's number, " +
  "and say so when the documents do not contain the answer.";

async function wantsDocs(config: CorralConfig, settings: AgentConfig, given: DocumentIndex | undefined): Promise<boolean> {
  if (settings.docs === false) return false;
  if (Array.isArray(settings.docs) || given) return true;
  return configuredIndexExists(config);
}

/**
 * Ollama's address and time limits from the configuration, as the options of
 * `createOllamaChatModel`, `createOllamaEmbedder` and `new Agent` take them.
 * @example
 * const embedder = createOllamaEmbedder({ model: config.embedModel, ...ollamaConnection(config) });
 */
export function ollamaConnection(config: CorralConfig): { host: string; hosts?: string[]; timeoutMs: number; idleTimeoutMs: number } {
  const { host, hosts, timeoutMs, idleTimeoutMs } = config.ollama;
  return { host, ...(hosts ? { hosts } : {}), timeoutMs, idleTimeoutMs };
}

/**
 * Builds the named agent of the configuration: its model, instructions, tool presets, and,
 * when it has docs, the documents index with the `search_docs` tool and instructions to cite
 * sources as [n]. Throws a ConfigError for an unknown agent or tool preset.
 * @example
 * const runtime = await createAgentRuntime(config, { agent: "default" });
 * const result = await runtime.agent.run("What do the docs say about keys?");
 * await runtime.close();
 */
export async function createAgentRuntime(config: CorralConfig, options: AgentRuntimeOptions = {}): Promise<AgentRuntime> {
  const name = options.agent ?? "default";
  const settings = config.agents[name];
  if (!settings) {
    throw new ConfigError(`Unknown agent "${name}". Configured agents: ${Object.keys(config.agents).join(", ")}.`);
  }
  const model = settings.model ?? config.model;
  // For an early look-up the chat model is built here, not by the Agent from its name, so that the
  // look-up starts before the tools load and the agent's first call finds its answer.
  const chatModel = options.prefetchModelInfo ? createOllamaChatModel(model, ollamaConnection(config)) : undefined;
  chatModel?.info?.({ signal: options.signal }).catch(() => undefined);
  // rag and tools load on first use, so commands that need no agent (`corral models`) start fast.
  const { createToolPreset, toolPresetNames } = await import("@corral/tools");
  const presets = settings.tools ?? config.tools;
  const known = new Set<string>(toolPresetNames);
  const unknown = presets.filter((preset) => !known.has(preset));
  if (unknown.length) {
    throw new ConfigError(
      `Agent "${name}": unknown tool preset${unknown.length > 1 ? "s" : ""} ${unknown.map((preset) => `"${preset}"`).join(", ")}. Known presets: ${[...known].join(", ")}.`,
    );
  }
  const tools: Tool[] = presets.length
    ? [...createToolPreset(presets, { ...config.toolOptions, root: options.root ?? process.cwd() })]
    : [];

  let index: DocumentIndex | undefined;
  const instructions: string[] = [];
  if (settings.instructions) instructions.push(settings.instructions);
  const ownsIndex = !options.index;
  if (await wantsDocs(config, settings, options.index)) {
    const { createOllamaEmbedder, createRetrievalTool } = await import("@corral/rag");
    if (options.index) index = options.index;
    else {
      const embedder = createOllamaEmbedder({ model: config.embedModel, ...ollamaConnection(config) });
      index = await openConfiguredIndex(config, {
        embedder,
        root: options.root ?? process.cwd(),
        readOnly: options.readOnlyIndex ?? false,
      });
    }
    tools.push(createRetrievalTool(index, { k: 5 }) as Tool);
    instructions.push(CITATION_INSTRUCTIONS);
  }

  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    (options.onWarning ?? ((text: string) => process.emitWarning(text, "CorralWarning")))(message);
  };
  // MCP servers start here, when an agent that uses them is built, and stop with `close()`.
  const serverNames = settings.mcp ?? Object.keys(config.mcpServers);
  let mcp: McpServersConnection | undefined;
  if (serverNames.length) {
    const servers = Object.fromEntries(serverNames.map((server) => [server, config.mcpServers[server]!]));
    mcp = await connectMcpServers(servers, { reservedNames: tools.map((tool) => tool.name), onWarning: warn });
    tools.push(...mcp.tools);
  }

  const approved = [...new Set(settings.approve ?? config.approve)];
  const toolNames = new Set(tools.map((tool) => tool.name));
  const strangers = approved.filter((tool) => !toolNames.has(tool));
  if (strangers.length) {
    warn(
      `Agent "${name}": approve names ${strangers.map((tool) => `"${tool}"`).join(", ")}, not among its tools (${[...toolNames].join(", ") || "none"}); check the spelling.`,
    );
  }
  // A tool the configuration approves runs without asking; the rest go to `options.approve`,
  // and without one the agent denies them and tells the model no approval is available.
  const allowed = new Set(approved);
  for (const [position, tool] of tools.entries()) {
    if (allowed.has(tool.name) && tool.needsApproval) tools[position] = { ...tool, needsApproval: false };
  }

  const modelSettings = agentModelSettings(config, settings);
  let agent: Agent;
  try {
    agent = new Agent({
      model: chatModel ?? model,
      ...ollamaConnection(config),
      instructions: instructions.join("\n\n") || undefined,
      tools,
      maxSteps: settings.maxSteps,
      think: modelSettings.think,
      options: modelSettings.options,
      keepAlive: modelSettings.keepAlive,
      approve: options.approve,
    });
  } catch (error) {
    // Nothing may keep running for an agent that was not built.
    await mcp?.close();
    if (ownsIndex) await index?.close();
    throw error;
  }

  let closed = false;
  return {
    name,
    settings: { ...settings, model, tools: presets, ...modelSettings },
    agent,
    index,
    tools,
    approved,
    mcp,
    warnings,
    async close() {
      if (closed) return;
      closed = true;
      await mcp?.close();
      if (ownsIndex) await index?.close();
    },
  };
}
