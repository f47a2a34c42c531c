import type { z } from "zod";
import { AgentError } from "../errors/agent-error.js";
import { ModelCapabilityError } from "../errors/model-capability-error.js";
import type { ChatModel } from "../model/chat-model.js";
import type { Message } from "../model/message.js";
import { createOllamaChatModel } from "../ollama/ollama-chat-model.js";
import { throwIfAborted } from "../util/abort.js";
import type { AgentEvent } from "./agent-event.js";
import type { AgentInput, AgentOptions, RunOptions } from "./agent-options.js";
import type { AgentResult } from "./agent-result.js";
import { type RunSettings, runAgent, toAgentError } from "./run-agent.js";
import { outputJsonSchema } from "./structured-output.js";
import { toUserMessage } from "./to-user-message.js";

type OutputOf<S> = S extends z.ZodType ? z.output<S> : undefined;

const DEFAULT_CONTEXT = 8192;

/**
 * An agent: a model, instructions and tools, run in a loop until the model answers. Tool
 * calls of one step run in parallel; mistakes go back to the model; `maxSteps` and repeated
 * identical calls end the loop with a final answer made without tools.
 * @example
 * const agent = new Agent({ model: "qwen3:4b", instructions: "Be brief.", tools: [add] });
 * const result = await agent.run("What is 2+3?");
 * for await (const event of agent.stream("2+3?", { signal })) if (event.type === "text-delta") process.stdout.write(event.text);
 */
export class Agent<Output extends z.ZodType | undefined = undefined> {
  /** The options the agent was made with. */
  readonly options: Readonly<AgentOptions<Output>>;
  /** The model the agent talks to. */
  readonly model: ChatModel;
  #settings: Promise<RunSettings> | undefined;

  constructor(options: AgentOptions<Output>) {
    const names = new Set<string>();
    for (const tool of options.tools ?? []) {
      if (names.has(tool.name)) throw new AgentError("config_invalid", `Two tools are named "${tool.name}". Tool names must be unique.`);
      names.add(tool.name);
    }
    if (options.maxSteps !== undefined && !(options.maxSteps >= 1)) {
      throw new AgentError("config_invalid", `maxSteps must be at least 1 (got ${options.maxSteps}).`);
    }
    if (options.output) outputJsonSchema(options.output);
    this.options = options;
    this.model =
      typeof options.model === "string"
        ? createOllamaChatModel(options.model, {
            host: options.host,
            retries: options.retries,
            timeoutMs: options.timeoutMs ?? options.headersTimeoutMs,
            idleTimeoutMs: options.idleTimeoutMs,
          })
        : options.model;
  }

  /** Runs to the end. Resolves to the result; rejects with a typed AgentError (an AbortError on abort). */
  async run(input: AgentInput, options: RunOptions = {}): Promise<AgentResult<OutputOf<Output>>> {
    for await (const event of this.stream(input, options)) {
      if (event.type === "finish") return event.result as AgentResult<OutputOf<Output>>;
      if (event.type === "error") throw event.error;
    }
    throw new AgentError("internal_error", "The agent stream ended without a result.");
  }

  /**
   * Runs and yields every event as it happens. A failure does not throw: it is the last
   * event, `{ type: "error", error }`.
   */
  async *stream(input: AgentInput, options: RunOptions = {}): AsyncGenerator<AgentEvent> {
    const { signal } = options;
    let start: Message[];
    let settings: RunSettings;
    try {
      throwIfAborted(signal);
      const user = await toUserMessage(input);
      settings = await this.#prepare(signal);
      if (user.images?.length) await this.#requireCapability("vision", signal);
      const history = options.messages ?? [];
      const system: Message[] =
        this.options.instructions && history[0]?.role !== "system" ? [{ role: "system", content: this.options.instructions }] : [];
      start = [...system, ...history, user];
    } catch (error) {
      yield { type: "error", error: toAgentError(error, signal) };
      return;
    }
    yield* runAgent(settings, start, signal);
  }

  /** Looks the model up once (capabilities, context length) and fixes `num_ctx` for every call. */
  #prepare(signal: AbortSignal | undefined): Promise<RunSettings> {
    this.#settings ??= (async () => {
      const options = this.options;
      const tools = options.tools ?? [];
      const info = await this.model.info?.({ signal });
      if (info && tools.length > 0 && !info.capabilities.includes("tools")) {
        throw new ModelCapabilityError(this.model.modelId, "tools");
      }
      const requested = options.options?.num_ctx;
      const numCtx =
        typeof requested === "number"
          ? requested
          : info
            ? Math.min(info.contextLength ?? DEFAULT_CONTEXT, options.maxContextTokens ?? 32768)
            : undefined;
      return {
        model: this.model,
        tools,
        maxSteps: options.maxSteps ?? 10,
        maxRepeatedCalls: options.maxRepeatedCalls ?? 3,
        output: options.output,
        options: options.options,
        keepAlive: options.keepAlive,
        think: options.think,
        textToolCalls: options.textToolCalls ?? true,
        toolTimeoutMs: options.toolTimeoutMs ?? 60_000,
        approve: options.approve,
        numCtx,
      };
    })();
    // A failed look-up (Ollama down) is not remembered: the next run asks again.
    this.#settings.catch(() => {
      this.#settings = undefined;
    });
    return this.#settings;
  }

  async #requireCapability(capability: string, signal: AbortSignal | undefined): Promise<void> {
    const info = await this.model.info?.({ signal });
    if (info && !info.capabilities.includes(capability)) throw new ModelCapabilityError(this.model.modelId, capability);
  }
}
