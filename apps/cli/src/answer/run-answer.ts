import type { Agent, AgentError, AgentEvent, AgentResult, Message } from "@corral/core";
import { type AnswerSource, sourcesFromToolOutput, uniqueSources } from "./answer-source.js";

/** Callbacks for what happens while an answer is produced; every one is optional. */
export interface AnswerHandlers {
  onText?(text: string): void;
  onThinking?(text: string): void;
  onToolCall?(event: Extract<AgentEvent, { type: "tool-call" }>): void;
  onToolResult?(event: Extract<AgentEvent, { type: "tool-result" }>, sources: AnswerSource[]): void;
  onWarning?(event: Extract<AgentEvent, { type: "warning" }>): void;
}

/** How an answer ended. */
export interface AnswerOutcome {
  /** The run's result; undefined when it failed or was cancelled. */
  result?: AgentResult;
  /** The failure (an AbortError when cancelled). */
  error?: AgentError;
  /** The passages the retrieval tool returned during the run, without repeats. */
  sources: AnswerSource[];
}

/**
 * Runs one turn of `agent`, streaming its events to `handlers`, and collects the sources
 * the retrieval tool returned. Never throws: failures are in the outcome.
 */
export async function runAnswer(
  agent: Agent,
  question: string,
  options: { signal?: AbortSignal; messages?: Message[] },
  handlers: AnswerHandlers = {},
): Promise<AnswerOutcome> {
  const sources: AnswerSource[] = [];
  for await (const event of agent.stream(question, { signal: options.signal, messages: options.messages })) {
    switch (event.type) {
      case "text-delta":
        handlers.onText?.(event.text);
        break;
      case "thinking-delta":
        handlers.onThinking?.(event.text);
        break;
      case "tool-call":
        handlers.onToolCall?.(event);
        break;
      case "tool-result": {
        const found = event.isError ? [] : sourcesFromToolOutput(event.output);
        sources.push(...found);
        handlers.onToolResult?.(event, found);
        break;
      }
      case "warning":
        handlers.onWarning?.(event);
        break;
      case "finish":
        return { result: event.result, sources: uniqueSources(sources) };
      case "error":
        return { error: event.error, sources: uniqueSources(sources) };
    }
  }
  return { sources: uniqueSources(sources) };
}
