import type { AgentError } from "../errors/agent-error.js";
import type { ModelDurations } from "../model/chat-model.js";
import type { Message, ToolCall, Usage } from "../model/message.js";

/** Why a run ended. */
export type FinishReason =
  /** The model answered without calling a tool. */
  | "stop"
  /** `maxSteps` was reached; a last call without tools produced the answer. */
  | "max-steps"
  /** The same call (tool and arguments) repeated; a last call without tools produced the answer. */
  | "loop"
  /** The model hit `num_predict` or the context while answering. */
  | "length"
  /** The model called tools the caller offered (`RunOptions.clientTools`); `clientToolCalls` holds them. */
  | "tool-calls";

/** What every tool call's outcome has, whether it succeeded or not. */
interface ToolResultBase {
  toolCallId: string;
  toolName: string;
  args: Record<string, unknown>;
  /** What the model was sent. */
  content: string;
}

/** A tool call that ran and returned. */
export interface ToolSuccess extends ToolResultBase {
  isError: false;
  /** The tool's raw return value (before `toModelOutput`). */
  output: unknown;
  error?: undefined;
}

/**
 * A tool call that did not produce a value. The model was told why (`content`); `error` is the
 * same failure as a typed error with a stable `code`: `ToolNotFoundError` (`tool_not_found`),
 * `ToolInputError` (`tool_input_invalid`), the AgentError the tool threw itself (e.g. a
 * `ToolRefusedError` of `@corral/tools` or a `TimeoutError`), or else a `ToolExecutionError`
 * (`tool_failed`; its `reason` says whether the tool threw, timed out or was not approved, and
 * its `cause` is what the tool threw).
 */
export interface ToolFailure extends ToolResultBase {
  isError: true;
  output?: undefined;
  error: AgentError<string>;
}

/** One tool call's outcome inside a step: check `isError` to tell the two apart. */
export type ToolResult = ToolSuccess | ToolFailure;

/** One model call and the tool calls it made. */
export interface StepResult {
  /** 1-based. */
  step: number;
  text: string;
  thinking: string;
  toolCalls: ToolCall[];
  toolResults: ToolResult[];
  usage: Usage;
  doneReason?: string;
  /** Ollama's timings of this call, when it reported them. */
  durations?: ModelDurations;
}

/** What `agent.run()` resolves to. */
export interface AgentResult<Output = unknown> {
  /** The final answer's text. */
  text: string;
  /** The final answer's thinking, if any. */
  thinking: string;
  /** The whole conversation, including earlier turns passed in: persist this. */
  messages: Message[];
  steps: StepResult[];
  /** Summed over every model call of the run. */
  usage: Usage;
  finishReason: FinishReason;
  /** The parsed, validated answer when the agent has an `output` schema (or the run a `format`). */
  output?: Output;
  /**
   * With `finishReason: "tool-calls"`: the calls of client tools the caller must answer. To
   * continue, run again with `messages` (this result's, or the caller's own copy) followed by one
   * `role: "tool"` message per call (`tool_call_id` set) and no new input.
   */
  clientToolCalls?: ToolCall[];
}
