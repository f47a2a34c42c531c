import type { z } from "zod";
import type { ChatModel, JsonSchema, ModelOptions, Think, ToolChoice, ToolSpec } from "../model/chat-model.js";
import type { Message } from "../model/message.js";
import type { Tool, ToolContext } from "../tool/define-tool.js";

/** An image for the model: a file path, raw bytes, or a base64 string (a `data:` URL is accepted too). */
export type ImageInput = string | Uint8Array;

/** A user turn: plain text, or text with images. */
export type AgentInput = string | { text: string; images?: ImageInput[] };

/** A pending call waiting for approval. */
export interface ApprovalRequest {
  toolName: string;
  toolCallId: string;
  args: Record<string, unknown>;
  context: ToolContext;
}

/** How `new Agent()` is configured. */
export interface AgentOptions<Output extends z.ZodType | undefined = undefined> {
  /** A model name (`qwen3:4b`), served by Ollama at `host`, or any ChatModel. */
  model: string | ChatModel;
  /** Ollama's address when `model` is a name; default `OLLAMA_HOST`, then `http://127.0.0.1:11434`. */
  host?: string;
  /** Several Ollama hosts to spread the model's calls over, when `model` is a name (see `OllamaTransportOptions.hosts`). */
  hosts?: readonly string[];
  /** The system prompt. */
  instructions?: string;
  /** Tools the model may call. */
  tools?: Tool[];
  /** Model calls with tools before a final answer is forced. Default 10. */
  maxSteps?: number;
  /** Identical calls (same tool, same arguments) that count as a loop. Default 3. */
  maxRepeatedCalls?: number;
  /** A zod schema: the final answer is requested with Ollama's `format` and validated. */
  output?: Output;
  /** Sampling and load options passed through to Ollama (`num_ctx` here wins over the context policy). */
  options?: ModelOptions;
  /** Ollama `keep_alive`. */
  keepAlive?: string | number;
  /** Ollama `think`. */
  think?: Think;
  /**
   * The `num_ctx` when neither `options.num_ctx` nor the model's Modelfile sets one, capped at the model's
   * trained length. Default 8192 (see "Context and truncation" in the README for the trade-off).
   */
  defaultNumCtx?: number;
  /** Recover tool calls that small models write as text. Default true. */
  textToolCalls?: boolean;
  /** Retries of transient model failures (connection refused, 503). A 500 (failed model load) is not retried. Default 2. */
  retries?: number;
  /** Time limit for Ollama to start answering each call, in ms (model loading and Ollama's queue included). Default 300000. */
  timeoutMs?: number;
  /** Time limit on a silence inside an answer (between stream chunks), in ms. Default 300000. */
  idleTimeoutMs?: number;
  /** @deprecated Use `timeoutMs`. */
  headersTimeoutMs?: number;
  /** Time limit for each tool call unless the tool sets its own. Default 60 s. */
  toolTimeoutMs?: number;
  /** Decides calls of tools that need approval; without it such calls are denied. */
  approve?: (request: ApprovalRequest) => boolean | Promise<boolean>;
}

/** Options of one `run()` or `stream()`. */
export interface RunOptions {
  /** Aborts the model call and running tools. */
  signal?: AbortSignal;
  /** Earlier conversation to continue (without the system prompt; it is added). */
  messages?: Message[];
  /**
   * Tools offered to the model beside the agent's own, which the agent does not run: when the
   * model calls one, the run ends with `finishReason: "tool-calls"` and the calls in
   * `clientToolCalls` (the agent's own calls of that step still run). A name that is also one
   * of the agent's tools is the agent's.
   */
  clientTools?: ToolSpec[];
  /** How the model may use the tools of this run. Default `"auto"`. */
  toolChoice?: ToolChoice;
  /**
   * Constrains the final answer of this run: `"json"` (any JSON object) or a JSON Schema. The
   * answer is requested with Ollama's `format`, validated, and parsed into `output`; it replaces
   * the agent's own `output` for this run.
   */
  format?: "json" | JsonSchema;
  /** Sampling options for this run (`temperature`, `num_predict`, ...); the agent's own `options` win. */
  modelOptions?: ModelOptions;
}
