import type { z } from "zod";
import type { ChatModel, ModelOptions, Think, ToolChoice, ToolSpec } from "../model/chat-model.js";
import type { Tool } from "../tool/define-tool.js";
import type { ApprovalRequest } from "./agent-options.js";
import type { ContextReserve } from "./context-policy.js";
import type { OutputSpec } from "./structured-output.js";

/** Everything one run needs, resolved by the Agent. */
export interface RunSettings {
  model: ChatModel;
  tools: Tool[];
  maxSteps: number;
  maxRepeatedCalls: number;
  output?: z.ZodType;
  options?: ModelOptions;
  keepAlive?: string | number;
  think?: Think;
  textToolCalls: boolean;
  toolTimeoutMs: number;
  approve?: (request: ApprovalRequest) => boolean | Promise<boolean>;
  /** The `num_ctx` to send, constant for the agent; undefined when unknown. */
  numCtx?: number;
  /** Tokens of `num_ctx` the prompt may not use (answer and thinking), with `numCtx`. */
  reserve?: ContextReserve;
  /** The runner's `num_keep` (what Ollama keeps when it cuts a prompt). */
  numKeep: number;
  /** Tools offered but not run: their calls end the run (`finishReason: "tool-calls"`). */
  clientTools?: ToolSpec[];
  /** How the model may use the tools. Default `"auto"`. */
  toolChoice?: ToolChoice;
  /** The final answer's format and check; replaces `output` when set. */
  outputSpec?: OutputSpec;
}
