import type { z } from "zod";
import type { AgentEvent } from "./agent-event.js";
import type { AgentInput, AgentOptions, RunOptions } from "./agent-options.js";
import type { AgentResult } from "./agent-result.js";

type OutputOf<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * An agent: a model, instructions and tools, run in a loop until the model answers.
 * @example
 * const agent = new Agent({ model: "qwen3:4b", instructions: "Be brief.", tools: [add] });
 * const result = await agent.run("What is 2+3?");
 */
export class Agent<Output extends z.ZodType | undefined = undefined> {
  readonly options: AgentOptions<Output>;

  constructor(options: AgentOptions<Output>) {
    this.options = options;
  }

  /** Runs to the end and resolves to the result; rejects with a typed AgentError. */
  async run(input: AgentInput, options: RunOptions = {}): Promise<AgentResult<OutputOf<Output>>> {
    void input;
    void options;
    throw new Error("not implemented yet");
  }

  /** Runs and yields every event as it happens; a failure is the last event (`error`). */
  async *stream(input: AgentInput, options: RunOptions = {}): AsyncGenerator<AgentEvent> {
    void input;
    void options;
    yield* [];
  }
}
