import { type CorralConfig, configSchema } from "./config-schema.js";

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The configuration with nothing set (frozen): chat model `qwen3:4b`, embedding model
 * `nomic-embed-text`, index `.corral/index`, Ollama at `http://127.0.0.1:11434`, tools
 * `math` and `time`, the server on 127.0.0.1:8787, and one `default` agent.
 * `loadConfig` ignores the environment here; use it for the effective values.
 */
export const defaultConfig: Readonly<CorralConfig> = deepFreeze(configSchema.parse({}));
