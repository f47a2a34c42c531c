import type { ApprovalRequest } from "../agent/agent-options.js";
import type { ToolFailure, ToolResult } from "../agent/agent-result.js";
import { AbortError } from "../errors/abort-error.js";
import { AgentError } from "../errors/agent-error.js";
import { ToolExecutionError, ToolInputError, ToolNotFoundError } from "../errors/tool-errors.js";
import type { Message } from "../model/message.js";
import { endCorralSpan, inSpan, startCorralSpan } from "../telemetry/corral-tracer.js";
import { raceAbort } from "../util/abort.js";
import { coerceArguments } from "./coerce-arguments.js";
import type { Tool } from "./define-tool.js";

/** One call to run, already given an id. */
export interface PendingCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** What a tool call runs with. */
export interface ExecuteOptions {
  tools: ReadonlyMap<string, Tool>;
  signal?: AbortSignal;
  messages: readonly Message[];
  defaultTimeoutMs: number;
  approve?: (request: ApprovalRequest) => boolean | Promise<boolean>;
}

/**
 * Runs one tool call. Every mistake (unknown tool, bad arguments, a throw, a time-out, a
 * denial) becomes a result with `isError` whose content tells the model what to fix and whose
 * `error` is the typed error; only an abort of the whole run is thrown.
 */
export async function executeToolCall(call: PendingCall, options: ExecuteOptions): Promise<ToolResult> {
  const span = startCorralSpan(`execute_tool ${call.name}`, {
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": call.name,
    "gen_ai.tool.call.id": call.id,
  });
  if (!span.isRecording()) return runToolCall(call, options);
  try {
    // The tool runs under its span: a retrieval it does (the search tool) is a child of it.
    const result = await inSpan(span, () => runToolCall(call, options));
    endCorralSpan(span, result.isError ? result.error : undefined);
    return result;
  } catch (error) {
    endCorralSpan(span, error);
    throw error;
  }
}

async function runToolCall(call: PendingCall, options: ExecuteOptions): Promise<ToolResult> {
  const base = { toolCallId: call.id, toolName: call.name, args: call.args };
  // `content` is what the model reads; it stays the error's message unless a hint for the model is added.
  const failure = (error: AgentError<string>, content = error.message): ToolFailure => ({
    ...base,
    content: `Error: ${content}`,
    isError: true,
    error,
  });

  const tool = options.tools.get(call.name);
  if (!tool) return failure(new ToolNotFoundError(call.name, [...options.tools.keys()]));

  let parsed = tool.parse(call.args);
  if (!parsed.success) {
    const coerced = coerceArguments(call.args, tool.parameters);
    if (coerced) {
      const second = tool.parse(coerced);
      if (second.success) parsed = second;
    }
  }
  if (!parsed.success) {
    const error = new ToolInputError(call.name, call.args, parsed.error);
    return failure(
      error,
      `${error.message}\nCall "${call.name}" again with arguments that match this JSON Schema: ${JSON.stringify(tool.parameters)}`,
    );
  }

  const timeoutMs = tool.timeoutMs ?? options.defaultTimeoutMs;
  const timeout = new AbortController();
  // The clock starts once the call may run: a person reading an approval prompt is not the tool being slow.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  const context = { signal, toolCallId: call.id, messages: options.messages };
  try {
    const needsApproval =
      typeof tool.needsApproval === "function" ? await tool.needsApproval(parsed.data, context) : tool.needsApproval === true;
    if (needsApproval) {
      const approved = options.approve
        ? await options.approve({ toolName: call.name, toolCallId: call.id, args: call.args, context })
        : false;
      if (!approved) {
        const [reason, message] = options.approve
          ? (["denied", "the user denied this call"] as const)
          : (["approval-unavailable", "it needs the user's approval and no approval is available here"] as const);
        return failure(
          new ToolExecutionError(call.name, message, { reason }),
          options.approve
            ? `The user denied this call to "${call.name}". Do not call it again with these arguments; answer without it or ask the user.`
            : `"${call.name}" needs the user's approval and no approval is available here. Answer without it.`,
        );
      }
    }
    timer = setTimeout(() => timeout.abort(new Error("timeout")), timeoutMs);
    const output = await raceAbort(Promise.resolve(tool.execute(parsed.data, context)), signal);
    return { ...base, content: tool.toModelOutput ? tool.toModelOutput(output) : toContent(output), output, isError: false };
  } catch (error) {
    if (options.signal?.aborted) throw new AbortError(undefined, { cause: options.signal.reason });
    if (timeout.signal.aborted) {
      return failure(new ToolExecutionError(call.name, `timed out after ${timeoutMs} ms`, { reason: "timeout", cause: error }));
    }
    const message = error instanceof Error ? error.message : String(error);
    const wrapped = new ToolExecutionError(call.name, message, { cause: error });
    // A typed error the tool threw reaches the caller as it is (its own code); the model reads the same text as before.
    return error instanceof AgentError ? failure(error, wrapped.message) : failure(wrapped);
  } finally {
    clearTimeout(timer);
  }
}

/** A tool's value as the string Ollama wants in a tool message. */
export function toContent(output: unknown): string {
  if (typeof output === "string") return output;
  if (output === undefined) return "(no output)";
  try {
    return JSON.stringify(output) ?? String(output);
  } catch {
    return String(output);
  }
}
