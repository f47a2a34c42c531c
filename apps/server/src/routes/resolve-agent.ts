import type { ServerContext } from "../server-context.js";
import { AgentNotFoundError } from "../server-errors.js";

/** The agent serving a protocol's `model` value (see `server.modelFallback`). */
export function resolveAgent(context: ServerContext, model: string): string {
  const agent = context.registry.resolve(model, context.config.server.modelFallback);
  if (!agent) throw new AgentNotFoundError(model, context.registry.names);
  return agent;
}
