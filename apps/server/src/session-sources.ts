import type { SessionData } from "@corral/core";
import type { Source } from "./sources.js";

/**
 * The sources of each answer of a session, by the index of the answer's message in the stored
 * history (as `GET /v1/sessions/:id` lists `messages`), each with its passage's text. The server
 * keeps them in the session's data, so a resumed conversation shows the passages each answer drew on.
 */
export type AnswerSources = Record<string, Source[]>;

/** The session's data with the sources of the answer at `messageIndex` recorded (none: nothing is added). */
export function withAnswerSources(data: SessionData | undefined, messageIndex: number, sources: Source[]): SessionData {
  const recorded = answerSources(data);
  if (sources.length > 0) recorded[String(messageIndex)] = sources;
  return { ...data, sources: recorded };
}

/**
 * The answers' sources kept in a session's data: only entries keyed by a message index whose
 * value is a list of sources (each with a number and a path); anything else is left out.
 */
export function answerSources(data: SessionData | undefined): AnswerSources {
  const kept: AnswerSources = {};
  const stored = data?.sources;
  if (typeof stored !== "object" || stored === null || Array.isArray(stored)) return kept;
  for (const [index, sources] of Object.entries(stored)) {
    if (!/^\d+$/.test(index) || !Array.isArray(sources)) continue;
    const valid = sources.filter(
      (source): source is Source =>
        typeof source === "object" && source !== null && typeof source.n === "number" && typeof source.path === "string",
    );
    if (valid.length > 0) kept[index] = valid;
  }
  return kept;
}
