import { existsSync } from "node:fs";
import {
  type AgentRuntime,
  type CorralConfig,
  createAgentRuntime,
  type DocumentIndex,
  isDatabaseIndex,
  openConfiguredIndex,
} from "@corral/config";
import { createOllamaEmbedder } from "@corral/rag";
import { AgentNotFoundError } from "./server-errors.js";

/**
 * The configured agents, built on first use and kept for the server's life. All agents share
 * one documents index, opened once (writable: the documents API writes to it).
 */
export class AgentRegistry {
  readonly #config: CorralConfig;
  readonly #root: string;
  readonly #runtimes = new Map<string, Promise<AgentRuntime>>();
  #index?: Promise<DocumentIndex>;

  constructor(config: CorralConfig, root: string) {
    this.#config = config;
    this.#root = root;
  }

  /** The configured agent names. */
  get names(): string[] {
    return Object.keys(this.#config.agents);
  }

  /** The configured agent name for a protocol's `model` value: exact, or without `:latest`, or the fallback agent. */
  resolve(model: string, fallback: string | false): string | undefined {
    const agents = this.#config.agents;
    if (Object.hasOwn(agents, model)) return model;
    const bare = model.replace(/:latest$/, "");
    if (Object.hasOwn(agents, bare)) return bare;
    if (fallback !== false && Object.hasOwn(agents, fallback)) return fallback;
    return undefined;
  }

  /** Throws AgentNotFoundError unless the agent is configured. */
  assertExists(name: string): void {
    if (!Object.hasOwn(this.#config.agents, name)) throw new AgentNotFoundError(name, this.names);
  }

  /**
   * Whether the agent searches documents (same rule as createAgentRuntime). An index in
   * PostgreSQL counts as there: the replicas share it, and another may have filled it.
   */
  usesDocs(name: string): boolean {
    const docs = this.#config.agents[name]?.docs;
    if (docs === false) return false;
    return Array.isArray(docs) || this.#index !== undefined || isDatabaseIndex(this.#config.index) || existsSync(this.#config.index);
  }

  /** The shared documents index (a folder or PostgreSQL), opened (and created) on first use. */
  index(): Promise<DocumentIndex> {
    let index = this.#index;
    if (!index) {
      const { host, timeoutMs, idleTimeoutMs } = this.#config.ollama;
      const embedder = createOllamaEmbedder({ model: this.#config.embedModel, host, timeoutMs, idleTimeoutMs });
      const opening = openConfiguredIndex(this.#config, { embedder, root: this.#root });
      opening.catch(() => {
        if (this.#index === opening) this.#index = undefined;
      });
      this.#index = opening;
      index = opening;
      // Agents built before the index existed have no retrieval tool: rebuild them on next use.
      for (const [name, runtime] of this.#runtimes) {
        void runtime.then(
          (built) => {
            if (!built.index && this.usesDocs(name)) this.#runtimes.delete(name);
          },
          () => undefined,
        );
      }
    }
    return index;
  }

  /** The agent's runtime, built on first use. */
  get(name: string): Promise<AgentRuntime> {
    this.assertExists(name);
    let runtime = this.#runtimes.get(name);
    if (!runtime) {
      runtime = (async () => {
        const index = this.usesDocs(name) ? await this.index() : undefined;
        return createAgentRuntime(this.#config, { agent: name, root: this.#root, index });
      })();
      runtime.catch(() => this.#runtimes.delete(name));
      this.#runtimes.set(name, runtime);
    }
    return runtime;
  }

  /** Closes every runtime and the index. */
  async close(): Promise<void> {
    const runtimes = [...this.#runtimes.values()];
    this.#runtimes.clear();
    await Promise.allSettled(runtimes.map(async (runtime) => (await runtime).close()));
    const index = this.#index;
    this.#index = undefined;
    if (index) await index.then((opened) => opened.close()).catch(() => undefined);
  }
}
