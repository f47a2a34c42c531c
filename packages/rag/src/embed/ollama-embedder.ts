import {
  AbortError,
  ModelCallError,
  ModelCapabilityError,
  ModelNotFoundError,
  OllamaUnreachableError,
  resolveOllamaHost,
} from "@corral/core";
import { Ollama } from "ollama";
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
  /** Inputs per `/api/embed` request. Default 64. */
  batchSize?: number;
  /** Requests in flight at once. Default 2, so a large sync does not flood Ollama's queue. */
  concurrency?: number;
  /** Attempts after the first for 503, 5xx, 429 and dropped connections. Default 4. */
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
}

const KNOWN_CONTEXT: Array<[RegExp, number]> = [
  [/^nomic-embed-text/, 2048],
  [/^all-minilm/, 256],
  [/^(mxbai-embed-large|snowflake-arctic-embed|bge-large)/, 512],
  [/^bge-m3/, 8192],
];

/**
 * An Embedder over Ollama's `/api/embed`: batches of 64 inputs, 2 requests at a time, backoff
 * on 503 and retries of transient failures, `truncate: false` so an over-long input fails
 * (and gets split) instead of being cut silently, and the query/document prefixes the model
 * expects.
 * @example
 * const embedder = createOllamaEmbedder({ model: "nomic-embed-text" });
 * const [vector] = await embedder.embedDocuments(["hello"]);
 */
export function createOllamaEmbedder(options: OllamaEmbedderOptions): Embedder {
  const host = resolveOllamaHost(options.host);
  const model = options.model;
  const batchSize = Math.max(1, options.batchSize ?? 64);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const retries = Math.max(0, options.retries ?? 4);
  const retryDelayMs = options.retryDelayMs ?? 500;
  const defaults = prefixesForModel(model);
  const prefixes: EmbeddingPrefixes =
    options.prefixes === false
      ? { query: "", document: "" }
      : { query: options.prefixes?.query ?? defaults.query, document: options.prefixes?.document ?? defaults.document };
  const base = model.split("/").pop()?.split(":")[0] ?? model;
  const contextLength = options.contextLength ?? KNOWN_CONTEXT.find(([pattern]) => pattern.test(base))?.[1];
  let dimensions = options.dimensions;

  const embedBatch = async (input: string[], signal?: AbortSignal): Promise<number[][]> => {
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new AbortError("The embedding call was aborted.", { cause: signal.reason });
      const client = new Ollama({
        host,
        headers: options.headers,
        fetch: (url, init) =>
          fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, ...(init?.signal ? [init.signal] : [])]) : init?.signal }),
      });
      try {
        const response = await client.embed({
          model,
          input,
          truncate: false,
          ...(options.dimensions ? { dimensions: options.dimensions } : {}),
          ...(options.keepAlive !== undefined ? { keep_alive: options.keepAlive } : {}),
        });
        if (response.embeddings.length !== input.length) {
          throw new ModelCallError(`Ollama returned ${response.embeddings.length} embeddings for ${input.length} inputs.`);
        }
        return response.embeddings;
      } catch (error) {
        const mapped = mapError(error, host, model, signal);
        if (!(mapped instanceof ModelCallError && mapped.isRetryable) || attempt >= retries) throw mapped;
        await sleep(Math.min(10_000, retryDelayMs * 2 ** attempt) * (0.75 + Math.random() * 0.5), signal);
      }
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
      const signal = embedOptions.signal;
      const client = new Ollama({
        host,
        headers: options.headers,
        fetch: (url, init) =>
          fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, ...(init?.signal ? [init.signal] : [])]) : init?.signal }),
      });
      let capabilities: unknown;
      try {
        capabilities = ((await client.show({ model })) as { capabilities?: unknown }).capabilities;
      } catch (error) {
        throw mapError(error, host, model, signal);
      }
      if (Array.isArray(capabilities) && !capabilities.includes("embedding")) throw new ModelCapabilityError(model, "embedding");
    },
    embedQuery: async (text: string, embedOptions: EmbedOptions = {}) => {
      const [vector] = await embedMany([prefixes.query + text], embedOptions.signal);
      if (!vector) throw new ModelCallError("Ollama returned no embedding for the query.");
      return vector;
    },
  };
}

function mapError(error: unknown, host: string, model: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return new AbortError("The embedding call was aborted.", { cause: signal.reason });
  if (error instanceof ModelCallError) return error;
  const status = (error as { status_code?: unknown }).status_code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof status === "number") {
    if (status === 404) return new ModelNotFoundError(model, { cause: error });
    if (status === 400 && /context length|input length|too long/i.test(message)) {
      return new EmbeddingInputTooLongError(model, { cause: error });
    }
    const isRetryable = status === 429 || status >= 500;
    return new ModelCallError(`Ollama's /api/embed failed with HTTP ${status}: ${message}`, { status, isRetryable, cause: error });
  }
  const code = findCode(error);
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH" || code === "EAI_AGAIN") {
    return new OllamaUnreachableError(host, { cause: error });
  }
  // A dropped connection or a broken body is worth another try.
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : "";
  return new ModelCallError(`The embedding request to ${host} failed: ${message}${detail}`, { isRetryable: true, cause: error });
}

function findCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const errors = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.length) current = errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError("The embedding call was aborted.", { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
