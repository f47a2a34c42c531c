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
  /**
   * The Modelfile's `PARAMETER`s, reported by `/api/show` as its `parameters` text (`num_ctx 8192`, one line per
   * value). A `num_ctx` here is the model's context when a request sets none; a `num_keep`, the tokens the
   * runner keeps when it cuts a prompt. Default `{ stop: ["<|im_end|>"] }`.
   */
  parameters?: Record<string, string | number | boolean | (string | number)[]>;
  /** Leave `capabilities` out of `/api/show` and `/api/tags`, as Ollama before 0.6.4 and some compatible servers do. */
  omitCapabilities?: boolean;
  /**
   * How many prompt characters make a token when `contextOverflow` counts a prompt. Default 4 (English prose);
   * lower values stand for denser tokenizers or scripts (digits, CJK), to test a client whose estimate is low.
   */
  charactersPerToken?: number;
  /** What a prompt over `num_ctx` does with this model; overrides the server-wide `contextOverflow`. */
  contextOverflow?: FakeContextOverflow;
  /** Where streamed tool calls go with this model; overrides the server-wide `toolCallChunks`. */
  toolCallChunks?: FakeToolCallChunks;
}

/**
 * What happens to a prompt longer than `num_ctx`:
 * - `"ignore"`: nothing (the prompt is answered whole; the default);
 * - `"truncate"`: as Ollama's rendered mode does: the oldest non-system messages are dropped, then the runner keeps
 *   `num_keep` plus the last half of the context, and `prompt_eval_count` reports `num_keep + (num_ctx - num_keep) / 2`;
 * - `"reject"`: as Ollama's native mode (llama-server) does: 400 `request (N tokens) exceeds the available context
 *   size (C tokens), try increasing it`.
 */
export type FakeContextOverflow = "ignore" | "truncate" | "reject";

/**
 * Where streamed tool calls go on `/api/chat`:
 * - `"separate"`: all calls in one `done:false` chunk after the text (the default);
 * - `"each"`: one `done:false` chunk per call (Ollama's rendered mode as it parses them);
 * - `"done"`: all calls on the final `done:true` chunk (native mode, harmony models such as gpt-oss).
 */
export type FakeToolCallChunks = "separate" | "each" | "done";

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
