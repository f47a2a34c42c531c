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
  error?: AgentError<string>;
  /**
   * The answer's sources: the passages it cites as [n] when it cites any, else every passage
   * the retrieval tool returned during the run; without repeats.
   */
  sources: AnswerSource[];
  /** Every passage the retrieval tool returned, without repeats. */
  retrieved: AnswerSource[];
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
  // One list per retrieval call: the model reads each call's passages numbered from [1].
  const calls: AnswerSource[][] = [];
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
        const found = event.isError ? [] : await sourcesFromToolOutput(event.output);
        if (found.length) calls.push(found);
        handlers.onToolResult?.(event, found);
        break;
      }
      case "warning":
        handlers.onWarning?.(event);
        break;
      case "finish":
        return { result: event.result, ...answerSources(calls, event.result.text) };
      case "error":
        return { error: event.error, ...answerSources(calls, "") };
    }
  }
  return answerSources(calls, "");
}

/** The cited passages (by their [n] in `text`) when there are any, else all of them. */
export function answerSources(calls: AnswerSource[][], text: string): { sources: AnswerSource[]; retrieved: AnswerSource[] } {
  const retrieved = uniqueSources(calls.flat());
  const cited = new Set([...text.matchAll(/\[(\d{1,2})\]/g)].map((match) => Number(match[1])));
  const citedSources = calls.flatMap((passages) => passages.filter((_, position) => cited.has(position + 1)));
  return { sources: citedSources.length ? uniqueSources(citedSources) : retrieved, retrieved };
}
