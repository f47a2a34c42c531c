import type { Message } from "@corral/core";
import type { ServerContext } from "../server-context.js";
import { AgentNotFoundError } from "../server-errors.js";

/** The agent serving a protocol's `model` value (see `server.modelFallback`). */
export function resolveAgent(context: ServerContext, model: string): string {
  const agent = context.registry.resolve(model, context.config.server.modelFallback);
  if (!agent) throw new AgentNotFoundError(model, context.registry.names);
  return agent;
}

/**
 * A client's own system message would replace the agent's instructions (the agent adds its
 * system prompt only when the history has none), so the agent's come first.
 */
export function withInstructions(history: Message[], instructions: string | undefined): Message[] {
  if (!instructions || history[0]?.role !== "system") return history;
  return [{ role: "system", content: instructions }, ...history];
}
