import type { Message } from "@corral/core";

/**
 * A client's own system message would replace the agent's instructions (the agent adds its
 * system prompt only when the history has none), so the agent's come first.
 */
export function withInstructions(history: Message[], instructions: string | undefined): Message[] {
  if (!instructions || history[0]?.role !== "system") return history;
  return [{ role: "system", content: instructions }, ...history];
}
