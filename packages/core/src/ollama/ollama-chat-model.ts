import type { Ollama, ChatRequest as OllamaChatRequest, ChatResponse as OllamaChatResponse } from "ollama";
import { AbortError } from "../errors/abort-error.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse, ChatStreamPart, ModelDurations, ModelInfo } from "../model/chat-model.js";
import { emptyUsage, type ToolCall, type Usage } from "../model/message.js";
import { parseModelfileParameters } from "../model/modelfile-parameters.js";
import { endCorralSpan, SPAN_KIND_CLIENT, startCorralSpan } from "../telemetry/corral-tracer.js";
import { publishModelCall } from "../telemetry/telemetry-channels.js";
import { createOllamaTransport, type OllamaTransportOptions } from "./ollama-transport.js";

/**
 * Options of `createOllamaChatModel`: the transport's (`host`, `headers`, `timeoutMs`,
 * `idleTimeoutMs`, `retries`, `retryDelayMs`).
 */
export interface OllamaChatModelOptions extends OllamaTransportOptions {
  /** @deprecated Use `timeoutMs` (the same limit: until Ollama starts answering). */
  headersTimeoutMs?: number;
}

/**
 * A ChatModel served by Ollama through the official `ollama` client, on corral's transport:
 * one client per host, typed errors, retries of a refused connection and of 503, and time
 * limits until Ollama answers (`timeoutMs`) and on silences inside an answer (`idleTimeoutMs`).
 * @example
 * const model = createOllamaChatModel("qwen3:4b", { host: "http://127.0.0.1:11434" });
 * const agent = new Agent({ model, tools: [add] });
 */
export function createOllamaChatModel(model: string, options: OllamaChatModelOptions = {}): ChatModel {
  const transport = createOllamaTransport({ ...options, timeoutMs: options.timeoutMs ?? options.headersTimeoutMs });
  let info: Promise<ModelInfo> | undefined;
  let version: Promise<string | undefined> | undefined;

  // The transport picks the host, hands the callback a view of its client for this call, and retries around it.
  const withRetries = <T>(signal: AbortSignal | undefined, attempt: (ollama: Ollama) => Promise<T>) =>
    transport.request({ signal, model }, attempt);

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
      const call = observeModelCall(request.model ?? model);
      try {
        const response = await transport.request({ signal: callOptions.signal, model, onHost: call.onHost }, (ollama) =>
          ollama.chat({ ...toRequest(request), stream: false }),
        );
        const message = response.message as ChatResponse["message"];
        const answer = {
          message: { ...message, content: message.content ?? "", tool_calls: normalizeToolCalls(message.tool_calls) },
          doneReason: response.done_reason,
          usage: usageOf(response),
          durations: durationsOf(response),
        };
        call.end(answer.usage, answer.doneReason);
        return answer;
      } catch (error) {
        call.fail(error);
        throw error;
      }
    },

    async *stream(request: ChatRequest, callOptions: CallOptions = {}): AsyncIterable<ChatStreamPart> {
      const call = observeModelCall(request.model ?? model);
      let ended = false;
      try {
        const chunks = transport.stream({ signal: callOptions.signal, model, onHost: call.onHost }, (ollama) =>
          ollama.chat({ ...toRequest(request), stream: true }),
        );
        for await (const chunk of chunks) {
          const part: ChatStreamPart = {
            content: chunk.message?.content ?? "",
            thinking: chunk.message?.thinking ?? "",
            toolCalls: normalizeToolCalls(chunk.message?.tool_calls) ?? [],
            done: chunk.done,
            doneReason: chunk.done ? chunk.done_reason : undefined,
            usage: chunk.done ? usageOf(chunk) : undefined,
            durations: chunk.done ? durationsOf(chunk) : undefined,
          };
          if (part.done) {
            ended = true;
            call.end(part.usage ?? emptyUsage(), part.doneReason);
          }
          yield part;
        }
      } catch (error) {
        ended = true;
        call.fail(error);
        throw error;
      } finally {
        // The reader stopped before the last piece (an abort, a caller that had enough).
        if (!ended) call.fail(new AbortError());
      }
    },

    serverVersion(callOptions: CallOptions = {}): Promise<string | undefined> {
      version ??= withRetries(callOptions.signal, async (ollama) => {
        const answer = (await ollama.version()) as { version?: unknown };
        return typeof answer.version === "string" ? answer.version : undefined;
      });
      version.catch(() => {
        version = undefined;
      });
      return version;
    },

    info(callOptions: CallOptions = {}): Promise<ModelInfo> {
      info ??= withRetries(callOptions.signal, async (ollama) => {
        const shown = await ollama.show({ model });
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

/**
 * The span (`chat {model}`, GenAI attributes) and the metrics record of one chat call. The host is
 * known once the transport has picked one.
 */
function observeModelCall(model: string) {
  const span = startCorralSpan(
    `chat ${model}`,
    { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "ollama", "gen_ai.request.model": model },
    SPAN_KIND_CLIENT,
  );
  const started = performance.now();
  let host: string | undefined;
  let done = false;
  const publish = (usage: Usage, errorCode?: string) =>
    publishModelCall(() => ({
      model,
      host,
      durationMs: performance.now() - started,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      ...(errorCode ? { errorCode } : {}),
    }));
  return {
    onHost(url: string): void {
      host = url;
      if (!span.isRecording()) return;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return;
      }
      span.setAttribute("server.address", parsed.hostname);
      const port = Number(parsed.port || (parsed.protocol === "https:" ? 443 : 80));
      span.setAttribute("server.port", port);
    },
    end(usage: Usage, doneReason: string | undefined): void {
      if (done) return;
      done = true;
      if (span.isRecording()) {
        span.setAttributes({
          "gen_ai.response.model": model,
          "gen_ai.usage.input_tokens": usage.inputTokens,
          "gen_ai.usage.output_tokens": usage.outputTokens,
          ...(doneReason ? { "gen_ai.response.finish_reasons": [doneReason] } : {}),
        });
      }
      endCorralSpan(span);
      publish(usage);
    },
    fail(error: unknown): void {
      if (done) return;
      done = true;
      endCorralSpan(span, error);
      const code = (error as { code?: unknown } | null)?.code;
      publish(emptyUsage(), typeof code === "string" ? code : "unknown");
    },
  };
}
