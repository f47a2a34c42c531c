import type { Message, ToolCall, Usage } from "./message.js";
import type { ModelfileParameters } from "./modelfile-parameters.js";

/** A JSON Schema object, as sent to Ollama in `tools` and `format`. */
export type JsonSchema = Record<string, unknown>;

/** A tool as Ollama's `tools` field describes it. */
export interface ToolSpec {
  type: "function";
  function: { name: string; description: string; parameters: JsonSchema };
}

/** Ollama's runtime and load-time options (see ollama-protocol.md section 1.4). */
export interface ModelOptions {
  temperature?: number;
  top_k?: number;
  top_p?: number;
  min_p?: number;
  seed?: number;
  num_predict?: number;
  num_ctx?: number;
  stop?: string[];
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  [key: string]: unknown;
}

/** Thinking switch: a boolean, or a level for models that take one. */
export type Think = boolean | "low" | "medium" | "high" | "max";

/** One chat call. Field names follow Ollama's `/api/chat`. */
export interface ChatRequest {
  /** Overrides the model's own name for this call. */
  model?: string;
  messages: Message[];
  tools?: ToolSpec[];
  /** `"json"` or a JSON Schema for constrained output. Never combined with `tools` by the agent. */
  format?: "json" | JsonSchema;
  options?: ModelOptions;
  /** Seconds, or a Go duration such as `"10m"`. */
  keep_alive?: string | number;
  think?: Think;
}

/** Why a model call ended, as Ollama says it. */
export type DoneReason = "stop" | "length" | "load" | "unload" | (string & {});

/** Ollama's timings of one call, in nanoseconds (`total_duration`, `load_duration`, ...). */
export interface ModelDurations {
  /** `total_duration`. */
  total?: number;
  /** `load_duration`: loading the model, when it was not in memory. */
  load?: number;
  /** `prompt_eval_duration`: evaluating the prompt. */
  promptEval?: number;
  /** `eval_duration`: generating the answer. */
  eval?: number;
}

/** How the model may use the tools of a call (OpenAI's `tool_choice`, as far as Ollama allows it). */
export type ToolChoice =
  /** Tools are offered; the model decides (the default). */
  | "auto"
  /** No tools are offered. */
  | "none"
  /** The model must call a tool: an answer without a call is asked again once. */
  | "required"
  /** Only this tool is offered, and the model must call it. */
  | { name: string };

/** The whole answer of a non-streamed call. */
export interface ChatResponse {
  message: Message;
  doneReason?: DoneReason;
  usage: Usage;
  /** Ollama's timings, when it reported them. */
  durations?: ModelDurations;
}

/** One piece of a streamed answer. */
export interface ChatStreamPart {
  /** New text in this piece (may be empty). */
  content: string;
  /** New thinking in this piece (may be empty). */
  thinking: string;
  /** Tool calls that arrived whole in this piece. */
  toolCalls: ToolCall[];
  /** True on the last piece, which also carries `usage` and `doneReason`. */
  done: boolean;
  doneReason?: DoneReason;
  usage?: Usage;
  /** On the last piece: Ollama's timings, when it reported them. */
  durations?: ModelDurations;
}

/** What corral knows about a model from `/api/show`. */
export interface ModelInfo {
  /** The model's name. */
  name: string;
  /**
   * Ollama capabilities: `completion`, `tools`, `thinking`, `vision`, `embedding`, ... Undefined when the
   * server does not report them (Ollama before 0.6.4, some compatible servers): then nothing is known, and
   * the agent lets the server decide.
   */
  capabilities?: string[];
  /** The trained context length (`model_info["<arch>.context_length"]`), when Ollama reports it. */
  contextLength?: number;
  /** The Modelfile's parameters (`num_ctx`, `num_keep`, `stop`, ...), from `/api/show`'s `parameters`. */
  parameters?: ModelfileParameters;
}

/** Per-call options every ChatModel method takes. */
export interface CallOptions {
  /** Aborts the call and its stream. */
  signal?: AbortSignal;
}

/**
 * The one interface the agent loop talks to. `createOllamaChatModel` is the built-in
 * implementation; anything else that speaks this interface works too.
 */
export interface ChatModel {
  /** The model's name, e.g. `qwen3:4b`. */
  readonly modelId: string;
  /** One call, answered whole. */
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResponse>;
  /** One call, answered piece by piece. The last piece has `done: true`. */
  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatStreamPart>;
  /** Capabilities and context length; implementations should cache it. */
  info?(options?: CallOptions): Promise<ModelInfo>;
  /** The server's version (`/api/version`), read once; undefined when it does not say. */
  serverVersion?(options?: CallOptions): Promise<string | undefined>;
}
