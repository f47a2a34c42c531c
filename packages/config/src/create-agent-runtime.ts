import { existsSync } from "node:fs";
import { Agent, ConfigError, type Tool } from "@corral/core";
import type { openIndex } from "@corral/rag";
import type { ToolPresetOptions } from "@corral/tools";
import type { AgentConfig, CorralConfig } from "./config-schema.js";

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
  /** Every tool the agent may call (presets, then `search_docs`). */
  tools: Tool[];
  /** Closes the index. Safe to call twice. */
  close(): Promise<void>;
}

/** Instructions added when the agent searches documents. */
export const CITATION_INSTRUCTIONS =
  "You can search the user's documents with the search_docs tool. Search before answering questions about them. " +
  "Base your answer on the results, cite the sources you use as [n] with the result's number, " +
  "and say so when the documents do not contain the answer.";

function wantsDocs(config: CorralConfig, settings: AgentConfig): boolean {
  if (settings.docs === false) return false;
  if (Array.isArray(settings.docs)) return true;
  return existsSync(config.index);
}

/**
 * Ollama's address and time limits from the configuration, as the options of
 * `createOllamaChatModel`, `createOllamaEmbedder` and `new Agent` take them.
 * @example
 * const embedder = createOllamaEmbedder({ model: config.embedModel, ...ollamaConnection(config) });
 */
export function ollamaConnection(config: CorralConfig): { host: string; timeoutMs: number; idleTimeoutMs: number } {
  const { host, timeoutMs, idleTimeoutMs } = config.ollama;
  return { host, timeoutMs, idleTimeoutMs };
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
    ? [...createToolPreset(presets, { ...(config.toolOptions as ToolPresetOptions), root: options.root ?? process.cwd() })]
    : [];

  let index: DocumentIndex | undefined;
  const instructions: string[] = [];
  if (settings.instructions) instructions.push(settings.instructions);
  const ownsIndex = !options.index;
  if (wantsDocs(config, settings)) {
    const { createOllamaEmbedder, createRetrievalTool, openIndex } = await import("@corral/rag");
    if (options.index) index = options.index;
    else {
      const embedder = createOllamaEmbedder({ model: config.embedModel, ...ollamaConnection(config) });
      index = await openIndex({
        dir: config.index,
        embedder,
        root: options.root ?? process.cwd(),
        readOnly: options.readOnlyIndex ?? false,
      });
    }
    tools.push(createRetrievalTool(index, { k: 5 }) as Tool);
    instructions.push(CITATION_INSTRUCTIONS);
  }

  const model = settings.model ?? config.model;
  const agent = new Agent({
    model,
    ...ollamaConnection(config),
    instructions: instructions.join("\n\n") || undefined,
    tools,
    maxSteps: settings.maxSteps,
    think: settings.think,
  });

  let closed = false;
  return {
    name,
    settings: { ...settings, model, tools: presets },
    agent,
    index,
    tools,
    async close() {
      if (closed) return;
      closed = true;
      if (ownsIndex) await index?.close();
    },
  };
}
