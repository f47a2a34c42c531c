import { AgentError } from "./agent-error.js";

/** A configuration mistake: bad options, a bad config file, a bad environment variable. */
export class ConfigError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("config_invalid", message, options);
  }
}
