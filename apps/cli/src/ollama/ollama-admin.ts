import { createOllamaTransport, type OllamaTransport } from "@corral/core";

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

/** Options of `OllamaAdmin`: @corral/core's transport limits (`ollama.timeoutMs`, `ollama.idleTimeoutMs`). */
export interface OllamaAdminOptions {
  /** Limit, in ms, for Ollama to start answering; default the transport's (300000). */
  timeoutMs?: number;
  /** Limit, in ms, on a silence inside an answer (a pull's progress lines); default 300000. */
  idleTimeoutMs?: number;
}

/**
 * Model management over Ollama's HTTP API (`/api/version`, `/api/tags`, `/api/show`,
 * `/api/pull`, `/api/delete`), on @corral/core's Ollama transport: the same typed errors,
 * time limits and retries as chat and embeddings.
 */
export class OllamaAdmin {
  readonly host: string;
  readonly #transport: OllamaTransport;

  constructor(host: string, options: OllamaAdminOptions = {}) {
    this.#transport = createOllamaTransport({ host, timeoutMs: options.timeoutMs, idleTimeoutMs: options.idleTimeoutMs });
    this.host = this.#transport.host;
  }

  /** The server's version. */
  async version(): Promise<string> {
    return (await this.#transport.request({}, (client) => client.version())).version;
  }

  /** Installed models, each with its capabilities (from `/api/tags`, else `/api/show`). */
  async list(): Promise<ModelSummary[]> {
    const { models } = await this.#transport.request({}, (client) => client.list());
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
    const info = await this.#transport.request({ model: name }, (client) => client.show({ model: name }));
    const modelInfo = (info.model_info ?? {}) as unknown as Record<string, unknown>;
    const architecture = typeof modelInfo["general.architecture"] === "string" ? modelInfo["general.architecture"] : undefined;
    const numberAt = (key: string) =>
      architecture && typeof modelInfo[`${architecture}.${key}`] === "number" ? (modelInfo[`${architecture}.${key}`] as number) : undefined;
    const listed = await this.#transport.request({}, (client) => client.list()).catch(() => ({ models: [] }));
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
    for await (const progress of this.#transport.stream({ model: name, signal }, (client) => client.pull({ model: name, stream: true }))) {
      onProgress(progress);
    }
  }

  /** Removes a model; rejects with ModelNotFoundError when it is not installed. */
  async delete(name: string): Promise<void> {
    await this.#transport.request({ model: name }, (client) => client.delete({ model: name }));
  }
}
