/**
 * A model the fake Ollama pretends to have installed.
 *
 * @example
 * const model: FakeModel = { name: "tiny:1b", capabilities: ["completion", "tools"], contextLength: 8192 };
 */
export interface FakeModel {
  /** The model name as users type it, e.g. `"qwen3:4b"`. A missing tag means `latest`; lookups ignore case. */
  name: string;
  /** Ollama capability strings: `completion`, `tools`, `thinking`, `vision`, `embedding`, `insert`, ... */
  capabilities: string[];
  /** The trained context window reported by `/api/show` as `model_info["<family>.context_length"]`. Default 4096. */
  contextLength?: number;
  /** The vector length of embeddings made with this model. Default 768 for embedding models, 2048 otherwise. */
  embeddingLength?: number;
  /** The size in bytes reported by `/api/tags` and `/api/ps`. Default derived from the name. */
  size?: number;
  /** The architecture name used in `details.family` and as the `model_info` key prefix. Default derived from the name. */
  family?: string;
}

/**
 * The models every fake Ollama starts with unless `models` is given. A fresh copy on every call.
 */
export function defaultFakeModels(): FakeModel[] {
  return [
    { name: "qwen3:4b", capabilities: ["completion", "tools", "thinking"], contextLength: 40960, family: "qwen3", embeddingLength: 2560 },
    { name: "llama3.2:3b", capabilities: ["completion", "tools"], contextLength: 131072, family: "llama", embeddingLength: 3072 },
    { name: "gemma3:4b", capabilities: ["completion", "vision"], contextLength: 131072, family: "gemma3", embeddingLength: 2560 },
    { name: "nomic-embed-text", capabilities: ["embedding"], contextLength: 2048, embeddingLength: 768, family: "nomic-bert" },
    { name: "all-minilm", capabilities: ["embedding"], contextLength: 512, embeddingLength: 384, family: "bert" },
  ];
}
