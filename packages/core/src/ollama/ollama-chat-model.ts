import { Ollama, type ChatRequest as OllamaChatRequest, type ChatResponse as OllamaChatResponse } from "ollama";
import { ModelCallError } from "../errors/model-call-error.js";
import { OllamaUnreachableError } from "../errors/ollama-unreachable-error.js";
import { TimeoutError } from "../errors/timeout-error.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse, ChatStreamPart, ModelDurations, ModelInfo } from "../model/chat-model.js";
import type { ToolCall, Usage } from "../model/message.js";
import { parseModelfileParameters } from "../model/modelfile-parameters.js";
import { sleep, throwIfAborted } from "../util/abort.js";
import { mapOllamaError } from "./map-ollama-error.js";
import { resolveOllamaHost } from "./resolve-ollama-host.js";

/** Options of `createOllamaChatModel`. */
export interface OllamaChatModelOptions {
  /** Ollama's address; default `OLLAMA_HOST`, then `http://127.0.0.1:11434`. */
  host?: string;
  /** Extra headers on every request (e.g. auth for a proxy in front of Ollama). */
  headers?: Record<string, string>;
  /** Retries of transient failures (connection refused or reset, 502/503, 500 before any byte). Default 2. */
  retries?: number;
  /** First backoff delay in ms; doubles on each retry. Default 250. */
  retryDelayMs?: number;
  /**
   * Time limit for Ollama to start answering a request (response headers), in ms. Loading a
   * large model can take minutes, so the default is generous: 300000. Once the answer streams,
   * gaps between chunks are not limited (Ollama is silent while it parses a tool call).
   */
  headersTimeoutMs?: number;
}

/**
 * A ChatModel served by Ollama through the official `ollama` client.
 * @example
 * const model = createOllamaChatModel("qwen3:4b", { host: "http://127.0.0.1:11434" });
 * const agent = new Agent({ model, tools: [add] });
 */
export function createOllamaChatModel(model: string, options: OllamaChatModelOptions = {}): ChatModel {
  const host = resolveOllamaHost(options.host);
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const headersTimeoutMs = options.headersTimeoutMs ?? 300_000;
  let info: Promise<ModelInfo> | undefined;
  let version: Promise<string | undefined> | undefined;

  // ollama-js passes no signal on non-streamed calls; a fetch per call adds ours to every request.
  const client = (signal?: AbortSignal) =>
    new Ollama({
      host,
      headers: options.headers,
      fetch: (input, init) => fetchWithHeadersTimeout(input, init, combine(init?.signal ?? undefined, signal), headersTimeoutMs),
    });

  async function withRetries<T>(signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      throwIfAborted(signal);
      try {
        return await attempt();
      } catch (raw) {
        const error = mapOllamaError(raw, { host, model, started: false });
        const retryable = error instanceof OllamaUnreachableError || (error instanceof ModelCallError && error.isRetryable);
        if (!retryable || tries >= retries) throw error;
        await sleep(retryDelayMs * 2 ** tries, signal);
      }
    }
  }

  const toRequest = (request: ChatRequest): OllamaChatRequest =>
    ({
      model: request.model ?? model,
      messages: request.messages,
      tools: request.tools?.length ? request.tools : undefined,
      format: request.format,
      options: request.options,
      keep_alive: request.keep_alive,
      think: request.think,
    }) as OllamaChatRequest;

  return {
    modelId: model,

    async chat(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResponse> {
      const response = await withRetries(callOptions.signal, () =>
        client(callOptions.signal).chat({ ...toRequest(request), stream: false }),
      );
      const message = response.message as ChatResponse["message"];
      return {
        message: { ...message, content: message.content ?? "", tool_calls: normalizeToolCalls(message.tool_calls) },
        doneReason: response.done_reason,
        usage: usageOf(response),
        durations: durationsOf(response),
      };
    },

    async *stream(request: ChatRequest, callOptions: CallOptions = {}): AsyncIterable<ChatStreamPart> {
      const signal = callOptions.signal;
      const iterator = await withRetries(signal, () => client(signal).chat({ ...toRequest(request), stream: true }));
      const onAbort = () => iterator.abort();
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        for await (const chunk of iterator) {
          yield {
            content: chunk.message?.content ?? "",
            thinking: chunk.message?.thinking ?? "",
            toolCalls: normalizeToolCalls(chunk.message?.tool_calls) ?? [],
            done: chunk.done,
            doneReason: chunk.done ? chunk.done_reason : undefined,
            usage: chunk.done ? usageOf(chunk) : undefined,
            durations: chunk.done ? durationsOf(chunk) : undefined,
          };
        }
      } catch (error) {
        throw mapOllamaError(error, { host, model, started: true });
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    },

    serverVersion(callOptions: CallOptions = {}): Promise<string | undefined> {
      version ??= withRetries(callOptions.signal, async () => {
        const answer = (await client(callOptions.signal).version()) as { version?: unknown };
        return typeof answer.version === "string" ? answer.version : undefined;
      });
      version.catch(() => {
        version = undefined;
      });
      return version;
    },

    info(callOptions: CallOptions = {}): Promise<ModelInfo> {
      info ??= withRetries(callOptions.signal, async () => {
        const shown = await client(callOptions.signal).show({ model });
        const modelInfo = (shown.model_info ?? {}) as unknown as Record<string, unknown>;
        const architecture = modelInfo["general.architecture"];
        const contextLength = modelInfo[`${architecture}.context_length`];
        const capabilities = (shown as { capabilities?: string[] }).capabilities;
        return {
          name: model,
          // Missing capabilities mean "not reported" (Ollama before 0.6.4), not "none".
          capabilities: Array.isArray(capabilities) ? capabilities.slice() : undefined,
          contextLength: typeof contextLength === "number" ? contextLength : undefined,
          parameters: parseModelfileParameters(shown.parameters),
        };
      });
      // A failed look-up is not cached: the next call asks again.
      info.catch(() => {
        info = undefined;
      });
      return info;
    },
  };
}

/** fetch that gives up, with a TimeoutError, when the response headers take longer than `timeoutMs`. */
async function fetchWithHeadersTimeout(
  input: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<Response> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new TimeoutError("Waiting for Ollama to answer", timeoutMs)), timeoutMs);
  try {
    return await fetch(input, { ...init, signal: combine(signal, timeout.signal) });
  } catch (error) {
    if (timeout.signal.aborted && !signal?.aborted) throw timeout.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function combine(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a) return b;
  if (!b) return a;
  return AbortSignal.any([a, b]);
}

function usageOf(response: Pick<OllamaChatResponse, "prompt_eval_count" | "eval_count">): Usage {
  const inputTokens = response.prompt_eval_count ?? 0;
  const outputTokens = response.eval_count ?? 0;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

function durationsOf(
  response: Partial<Pick<OllamaChatResponse, "total_duration" | "load_duration" | "prompt_eval_duration" | "eval_duration">>,
): ModelDurations | undefined {
  const durations: ModelDurations = {};
  if (typeof response.total_duration === "number") durations.total = response.total_duration;
  if (typeof response.load_duration === "number") durations.load = response.load_duration;
  if (typeof response.prompt_eval_duration === "number") durations.promptEval = response.prompt_eval_duration;
  if (typeof response.eval_duration === "number") durations.eval = response.eval_duration;
  return Object.keys(durations).length ? durations : undefined;
}

function normalizeToolCalls(calls: unknown): ToolCall[] | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((call, index) => {
    const fn = (call as ToolCall).function ?? { name: "", arguments: {} };
    let args: unknown = fn.arguments;
    // Some servers and proxies send arguments as a JSON string; Ollama wants an object back.
    if (typeof args === "string") {
      try {
        args = JSON.parse(args);
      } catch {
        args = { value: args };
      }
    }
    return {
      id: (call as ToolCall).id,
      function: {
        index: fn.index ?? index,
        name: fn.name,
        arguments: (args && typeof args === "object" ? args : {}) as Record<string, unknown>,
      },
    };
  });
}
