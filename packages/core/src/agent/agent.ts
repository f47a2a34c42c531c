import type { z } from "zod";
import { AgentError } from "../errors/agent-error.js";
import { ModelCapabilityError } from "../errors/model-capability-error.js";
import type { ChatModel } from "../model/chat-model.js";
import type { Message } from "../model/message.js";
import { numericModelfileParameter } from "../model/modelfile-parameters.js";
import { createOllamaChatModel } from "../ollama/ollama-chat-model.js";
import { throwIfAborted } from "../util/abort.js";
import type { AgentEvent } from "./agent-event.js";
import type { AgentInput, AgentOptions, RunOptions } from "./agent-options.js";
import type { AgentResult } from "./agent-result.js";
import { contextReserve, DEFAULT_NUM_KEEP, resolveContextWindow } from "./context-policy.js";
import { runAgent } from "./run-agent.js";
import type { RunSettings } from "./run-settings.js";
import { jsonOutputSpec, outputJsonSchema } from "./structured-output.js";
import { checkThinkSupport } from "./think-support.js";
import { toUserMessage } from "./to-user-message.js";

type OutputOf<S> = S extends z.ZodType ? z.output<S> : undefined;

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
            hosts: options.hosts,
            retries: options.retries,
            timeoutMs: options.timeoutMs ?? options.headersTimeoutMs,
            idleTimeoutMs: options.idleTimeoutMs,
          })
        : options.model;
  }

  /**
   * Runs to the end. Resolves to the result; rejects with a typed AgentError (an AbortError on abort).
   * `input` undefined continues `options.messages` as they are (e.g. after client tool results).
   */
  async run(input: AgentInput | undefined, options: RunOptions = {}): Promise<AgentResult<OutputOf<Output>>> {
    for await (const event of this.stream(input, options)) {
      if (event.type === "finish") return event.result as AgentResult<OutputOf<Output>>;
      if (event.type === "error") throw event.error;
    }
    throw new AgentError("internal_error", "The agent stream ended without a result.");
  }

  /**
   * Runs and yields every event as it happens. A failure does not throw: it is the last
   * event, `{ type: "error", error }`. `input` undefined continues `options.messages` as they are.
   */
  stream(input: AgentInput | undefined, options: RunOptions = {}): AsyncGenerator<AgentEvent> {
    // The loop runs the set-up itself, so its events reach the caller through one generator fewer.
    return runAgent(() => this.#start(input, options), options.signal);
  }

  /** A run's settings and first messages (the system prompt, the history, the new user turn). */
  async #start(input: AgentInput | undefined, options: RunOptions): Promise<{ settings: RunSettings; start: Message[] }> {
    const { signal } = options;
    throwIfAborted(signal);
    const user = input === undefined ? undefined : await toUserMessage(input);
    const settings = withRunOptions(await this.#prepare(signal), options);
    if (user?.images?.length) await this.#requireCapability("vision", signal);
    const history = options.messages ?? [];
    if (!user && history.length === 0) {
      throw new AgentError("run_options_invalid", "Nothing to answer: give an input or the messages to continue.");
    }
    const system: Message[] =
      this.options.instructions && history[0]?.role !== "system" ? [{ role: "system", content: this.options.instructions }] : [];
    return { settings, start: user ? [...system, ...history, user] : [...system, ...history] };
  }

  /**
   * Looks the model up once (capabilities, Modelfile, context length; the server's version when `think` is
   * set) and fixes `num_ctx` for every call by the context policy (see `resolveContextWindow`).
   */
  #prepare(signal: AbortSignal | undefined): Promise<RunSettings> {
    this.#settings ??= (async () => {
      const options = this.options;
      const tools = options.tools ?? [];
      const info = await this.model.info?.({ signal });
      // Capabilities the server does not report are unknown: offer the tools and let Ollama answer.
      if (info?.capabilities && tools.length > 0 && !info.capabilities.includes("tools")) {
        throw new ModelCapabilityError(this.model.modelId, "tools");
      }
      if (options.think !== undefined && options.think !== false && this.model.serverVersion) {
        checkThinkSupport(options.think, await this.model.serverVersion({ signal }), options.host);
      }
      const requested = options.options?.num_ctx;
      const configured = typeof requested === "number" && requested > 0 ? requested : undefined;
      const numCtx = info ? resolveContextWindow({ configured, info, defaultTokens: options.defaultNumCtx }).numCtx : configured;
      // Thinking models think unless told not to.
      const thinking = options.think === undefined ? (info?.capabilities?.includes("thinking") ?? false) : options.think !== false;
      const requestedKeep = options.options?.num_keep;
      const numKeep =
        typeof requestedKeep === "number" ? requestedKeep : (numericModelfileParameter(info?.parameters, "num_keep") ?? DEFAULT_NUM_KEEP);
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
        reserve: numCtx ? contextReserve(numCtx, { numPredict: options.options?.num_predict, thinking }) : undefined,
        numKeep,
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
    if (info?.capabilities && !info.capabilities.includes(capability)) throw new ModelCapabilityError(this.model.modelId, capability);
  }
}

/** The agent's settings with one run's options: client tools, tool choice, format, sampling under the agent's own. */
function withRunOptions(settings: RunSettings, options: RunOptions): RunSettings {
  const { clientTools, toolChoice, format, modelOptions } = options;
  if (!clientTools?.length && toolChoice === undefined && format === undefined && !modelOptions) return settings;
  return {
    ...settings,
    ...(clientTools?.length ? { clientTools } : {}),
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(format !== undefined ? { outputSpec: jsonOutputSpec(format) } : {}),
    ...(modelOptions ? { options: { ...definedOnly(modelOptions), ...settings.options } } : {}),
  };
}

function definedOnly(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
