import type { Usage } from "../model/message.js";
import type { AgentEvent } from "./agent-event.js";

/** What is known about one call when its answer is in. */
export interface TruncationEvidence {
  /** The counts Ollama reported. */
  usage: Usage;
  /** corral's (conservative) estimate of the prompt it sent. */
  estimatedTokens: number;
  /** The `num_ctx` sent. */
  numCtx: number;
  /** The runner's `num_keep` (Ollama's default 4, or the options' or Modelfile's). */
  numKeep: number;
  /**
   * A lower bound of the prompt's real size: the previous call's prompt tokens, when everything it sent was sent
   * again (the prompt only grew). 0 when unknown.
   */
  floorTokens: number;
}

/**
 * Did Ollama cut the prompt? When a prompt exceeds `num_ctx`, Ollama drops the oldest messages and its runner
 * keeps `num_keep` plus about the last half of the window, so `prompt_eval_count` reports about
 * `num_keep + (num_ctx - num_keep) / 2`. A count near that value is a cut only when the prompt was known to be
 * larger than the window: the estimate (or the previous call's real size) exceeded `num_ctx`, the count
 * exceeds corral's own estimate (which is kept above the real size on normal text), or the count is below the
 * previous call's although the prompt only grew. Any other count is a normal prompt.
 */
export function promptWasTruncated(evidence: TruncationEvidence): boolean {
  const { usage, estimatedTokens, numCtx, numKeep, floorTokens } = evidence;
  const counted = usage.inputTokens;
  if (counted <= 0 || numCtx <= 0) return false;
  const kept = numKeep + Math.floor((numCtx - numKeep) / 2);
  const tolerance = Math.max(16, Math.ceil(numCtx * 0.03));
  if (Math.abs(counted - kept) > tolerance) return false;
  const shrank = floorTokens > 0 && counted + tolerance < floorTokens;
  return Math.max(estimatedTokens, floorTokens) > numCtx || counted > estimatedTokens || shrank;
}

/** The warning event for a cut prompt. */
export function truncationWarning(evidence: TruncationEvidence, step: number): AgentEvent {
  return {
    type: "warning",
    step,
    code: "prompt-truncated",
    message:
      `Ollama cut the prompt: it evaluated ${evidence.usage.inputTokens} tokens, about half of num_ctx ${evidence.numCtx}, ` +
      `as it does when a prompt does not fit, so the model did not see the oldest part of it (the instructions included). ` +
      "Raise num_ctx (options.num_ctx), or shorten the input or the tools' output.",
  };
}
