import { ModelCallError, ModelNotFoundError, OllamaUnreachableError, TimeoutError } from "@corral/core";
import { Ollama } from "ollama";

/** One installed model, as `corral models` lists it. */
export interface ModelSummary {
  name: string;
  /** Bytes on disk. */
  size: number;
  capabilities: string[];
  family?: string;
  parameterSize?: string;
  quantization?: string;
  modifiedAt?: string;
}

/** What `corral models show` prints. */
export interface ModelDetails extends ModelSummary {
  contextLength?: number;
  embeddingLength?: number;
  license?: string;
  parameters?: string;
}

/** One progress line of `/api/pull`. */
export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

/**
 * Model management over Ollama's HTTP API (`/api/version`, `/api/tags`, `/api/show`,
 * `/api/pull`, `/api/delete`), with Ollama's failures turned into corral's typed errors.
 */
export class OllamaAdmin {
  readonly host: string;
  readonly #quick: Ollama;
  readonly #streaming: Ollama;
  readonly #timeoutMs: number;

  constructor(host: string, options: { timeoutMs?: number } = {}) {
    this.host = host;
    const timeoutMs = options.timeoutMs ?? 15_000;
    this.#timeoutMs = timeoutMs;
    const quickFetch: typeof fetch = (input, init) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    };
    this.#quick = new Ollama({ host, fetch: quickFetch });
    this.#streaming = new Ollama({ host });
  }

  /** The server's version. */
  async version(): Promise<string> {
    return (await this.#call(() => this.#quick.version())).version;
  }

  /** Installed models, each with its capabilities (from `/api/tags`, else `/api/show`). */
  async list(): Promise<ModelSummary[]> {
    const { models } = await this.#call(() => this.#quick.list());
    return Promise.all(
      models.map(async (model) => {
        let capabilities = (model as { capabilities?: string[] }).capabilities;
        if (!capabilities) capabilities = (await this.show(model.name).catch(() => undefined))?.capabilities ?? [];
        return {
          name: model.name,
          size: model.size,
          capabilities,
          family: model.details?.family || undefined,
          parameterSize: model.details?.parameter_size || undefined,
          quantization: model.details?.quantization_level || undefined,
          modifiedAt: model.modified_at ? String(model.modified_at) : undefined,
        };
      }),
    );
  }

  /** One model's details; rejects with ModelNotFoundError when it is not installed. */
  async show(name: string): Promise<ModelDetails> {
    const info = await this.#call(() => this.#quick.show({ model: name }), name);
    const modelInfo = (info.model_info ?? {}) as unknown as Record<string, unknown>;
    const architecture = typeof modelInfo["general.architecture"] === "string" ? modelInfo["general.architecture"] : undefined;
    const numberAt = (key: string) =>
      architecture && typeof modelInfo[`${architecture}.${key}`] === "number" ? (modelInfo[`${architecture}.${key}`] as number) : undefined;
    const listed = await this.#call(() => this.#quick.list()).catch(() => ({ models: [] }));
    const size = listed.models.find((model) => model.name === name || model.model === name)?.size ?? 0;
    return {
      name,
      size,
      capabilities: info.capabilities ?? [],
      family: info.details?.family || undefined,
      parameterSize: info.details?.parameter_size || undefined,
      quantization: info.details?.quantization_level || undefined,
      modifiedAt: info.modified_at ? String(info.modified_at) : undefined,
      contextLength: numberAt("context_length"),
      embeddingLength: numberAt("embedding_length"),
      license: info.license ? info.license.split("\n")[0] : undefined,
      parameters: info.parameters || undefined,
    };
  }

  /** Downloads a model, calling `onProgress` for every progress line. */
  async pull(name: string, onProgress: (progress: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    const stream = await this.#call(() => this.#streaming.pull({ model: name, stream: true }), name);
    const abort = () => stream.abort();
    signal?.addEventListener("abort", abort, { once: true });
    try {
      for await (const progress of await this.#wrapIterator(stream, name)) onProgress(progress);
    } finally {
      signal?.removeEventListener("abort", abort);
    }
  }

  /** Removes a model; rejects with ModelNotFoundError when it is not installed. */
  async delete(name: string): Promise<void> {
    await this.#call(() => this.#quick.delete({ model: name }), name);
  }

  async #wrapIterator<T>(iterable: AsyncIterable<T>, model?: string): Promise<AsyncIterable<T>> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        try {
          yield* iterable;
        } catch (error) {
          throw self.#translate(error, model);
        }
      },
    };
  }

  async #call<T>(action: () => Promise<T>, model?: string): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw this.#translate(error, model);
    }
  }

  #translate(error: unknown, model?: string): Error {
    const status = (error as { status_code?: number }).status_code;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 404 && model) return new ModelNotFoundError(model, { cause: error });
    if (typeof status === "number") return new ModelCallError(`Ollama answered ${status}: ${message}`, { status, cause: error });
    // An error line inside a stream (e.g. a failed pull) arrives as a plain Error with Ollama's text.
    if (error instanceof Error && (error.name === "TimeoutError" || (error.cause as Error | undefined)?.name === "TimeoutError")) {
      return new TimeoutError(`A request to Ollama at ${this.host}`, this.#timeoutMs, { cause: error });
    }
    if (error instanceof Error && error.name === "AbortError") return error;
    if (isConnectionError(error)) return new OllamaUnreachableError(this.host, { cause: error });
    return new ModelCallError(message, { cause: error });
  }
}

function isConnectionError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: string }).code;
    if (
      code &&
      /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT)$/.test(code)
    )
      return true;
    if (current instanceof TypeError && /fetch failed/i.test(current.message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
