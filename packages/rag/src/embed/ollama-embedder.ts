import { createOllamaTransport, ModelCallError, ModelCapabilityError } from "@corral/core";
import { EmbeddingInputTooLongError } from "../errors/embedding-input-too-long-error.js";
import type { Embedder, EmbedOptions } from "./embedder.js";
import { type EmbeddingPrefixes, prefixesForModel } from "./model-prefixes.js";
import { runLimited } from "./run-limited.js";

/** Options of `createOllamaEmbedder`. */
export interface OllamaEmbedderOptions {
  /** The embedding model, e.g. "nomic-embed-text". */
  model: string;
  /** Ollama's address; defaults to OLLAMA_HOST, then http://127.0.0.1:11434. */
  host?: string;
  /** Several Ollama hosts to spread the requests over, instead of `host` (see core's `OllamaTransportOptions.hosts`). */
  hosts?: readonly string[];
  /** Inputs per `/api/embed` request. Default 64. */
  batchSize?: number;
  /** Requests in flight at once. Default 2, so a large sync does not flood Ollama's queue. */
  concurrency?: number;
  /**
   * Attempts after the first for a refused connection and 503/429 (Ollama busy). A 500 (usually
   * a failed model load) is not retried: each retry would load the model again. Default 4.
   */
  retries?: number;
  /** First backoff delay in ms; doubles per attempt (with jitter), capped at 10 s. Default 500. */
  retryDelayMs?: number;
  /**
   * Prefixes for queries and documents. Default: the ones the model is known to expect
   * (`search_query: ` / `search_document: ` for nomic-embed-text), else none. `false` for none.
   */
  prefixes?: Partial<EmbeddingPrefixes> | false;
  /** Ask Ollama to cut vectors to this length (Matryoshka models). */
  dimensions?: number;
  /** The model's context in tokens, if you know it better than corral's table of common models. */
  contextLength?: number;
  /** Ollama's keep_alive for the embedding model. */
  keepAlive?: string | number;
  /** Extra HTTP headers (e.g. for a proxy with auth). */
  headers?: Record<string, string>;
  /**
   * Limit, in ms, for Ollama to start answering a request (a model load and Ollama's queue
   * count; `ollama.timeoutMs` in the config file). Default 300000.
   */
  timeoutMs?: number;
  /** Limit, in ms, on a silence while an answer is read (`ollama.idleTimeoutMs`). Default 300000. */
  idleTimeoutMs?: number;
}

const KNOWN_CONTEXT: Array<[RegExp, number]> = [
  [/^nomic-embed-text/, 2048],
  [/^all-minilm/, 256],
  [/^(mxbai-embed-large|snowflake-arctic-embed|bge-large)/, 512],
  [/^bge-m3/, 8192],
];

/**
 * An Embedder over Ollama's `/api/embed`, on @corral/core's Ollama transport (its errors, time
 * limits and retries): batches of 64 inputs, 2 requests at a time, backoff on 503 and a refused
 * connection, `truncate: false` so an over-long input fails
 * (and gets split) instead of being cut silently, and the query/document prefixes the model
 * expects.
 * @example
 * const embedder = createOllamaEmbedder({ model: "nomic-embed-text" });
 * const [vector] = await embedder.embedDocuments(["hello"]);
 */
export function createOllamaEmbedder(options: OllamaEmbedderOptions): Embedder {
  const model = options.model;
  const batchSize = Math.max(1, options.batchSize ?? 64);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const transport = createOllamaTransport({
    host: options.host,
    hosts: options.hosts,
    headers: options.headers,
    timeoutMs: options.timeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    retries: Math.max(0, options.retries ?? 4),
    retryDelayMs: options.retryDelayMs ?? 500,
  });
  const defaults = prefixesForModel(model);
  const prefixes: EmbeddingPrefixes =
    options.prefixes === false
      ? { query: "", document: "" }
      : { query: options.prefixes?.query ?? defaults.query, document: options.prefixes?.document ?? defaults.document };
  const base = model.split("/").pop()?.split(":")[0] ?? model;
  const contextLength = options.contextLength ?? KNOWN_CONTEXT.find(([pattern]) => pattern.test(base))?.[1];
  let dimensions = options.dimensions;

  const embedBatch = async (input: string[], signal?: AbortSignal): Promise<number[][]> => {
    try {
      // The request the ollama client's embed() sends, through the transport without the client: a
      // `corral search` embeds one query and calls Ollama for nothing else (see `postJson`).
      const response = await transport.postJson<{ embeddings: number[][] }>({ signal, model }, "/api/embed", {
        model,
        input,
        truncate: false,
        ...(options.dimensions ? { dimensions: options.dimensions } : {}),
        ...(options.keepAlive !== undefined ? { keep_alive: options.keepAlive } : {}),
      });
      if (!Array.isArray(response.embeddings) || response.embeddings.length !== input.length) {
        const count = Array.isArray(response.embeddings) ? response.embeddings.length : "no";
        throw new ModelCallError(`Ollama returned ${count} embeddings for ${input.length} inputs.`);
      }
      return response.embeddings;
    } catch (error) {
      if (error instanceof ModelCallError && error.status === 400 && /context length|input length|too long/i.test(error.message)) {
        throw new EmbeddingInputTooLongError(model, { cause: error });
      }
      throw error;
    }
  };

  const embedMany = async (texts: string[], signal?: AbortSignal): Promise<number[][]> => {
    const tasks: Array<() => Promise<number[][]>> = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const batch = texts.slice(start, start + batchSize);
      tasks.push(() => embedBatch(batch, signal));
    }
    const vectors = (await runLimited(tasks, concurrency)).flat();
    if (vectors[0]) dimensions = vectors[0].length;
    return vectors;
  };

  return {
    model,
    get dimensions() {
      return dimensions;
    },
    contextLength,
    embedDocuments: (texts: string[], embedOptions: EmbedOptions = {}) =>
      texts.length === 0
        ? Promise.resolve([])
        : embedMany(
            texts.map((text) => prefixes.document + text),
            embedOptions.signal,
          ),
    // /api/show: a missing model is 404; `capabilities` (absent before Ollama 0.6.4: then unknown, go on) must list "embedding".
    verify: async (embedOptions: EmbedOptions = {}) => {
      const shown = await transport.request({ signal: embedOptions.signal, model }, (client) => client.show({ model }));
      const capabilities = (shown as { capabilities?: unknown }).capabilities;
      if (Array.isArray(capabilities) && !capabilities.includes("embedding")) throw new ModelCapabilityError(model, "embedding");
    },
    embedQuery: async (text: string, embedOptions: EmbedOptions = {}) => {
      const [vector] = await embedMany([prefixes.query + text], embedOptions.signal);
      if (!vector) throw new ModelCallError("Ollama returned no embedding for the query.");
      return vector;
    },
  };
}
