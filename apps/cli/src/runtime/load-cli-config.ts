import type { LoadedConfig } from "@corral/config";
import type { CliContext } from "../cli-context.js";

/** Loads the configuration with the global flags (`--host`, `--model`, `--embed-model`, `--index`, `--config`). */
export async function loadCliConfig(ctx: CliContext): Promise<LoadedConfig> {
  const globals = ctx.globals;
  // Loaded on demand: @corral/config brings the index and tools, which `--help` does not need.
  const { loadConfig } = await import("@corral/config");
  return loadConfig({
    cwd: ctx.io.cwd,
    file: globals.config,
    flags: { host: globals.host, model: globals.model, embedModel: globals.embedModel, index: globals.index },
    env: ctx.io.env,
  });
}

/** Ollama's address from the flags, environment and config file. */
export async function resolveHost(ctx: CliContext): Promise<string> {
  return (await loadCliConfig(ctx)).config.ollama.host;
}

/** Ollama's address and time limits (`ollama.timeoutMs`, `ollama.idleTimeoutMs`) from the flags, environment and config file. */
export async function resolveOllama(ctx: CliContext): Promise<{ host: string; timeoutMs: number; idleTimeoutMs: number }> {
  const { host, timeoutMs, idleTimeoutMs } = (await loadCliConfig(ctx)).config.ollama;
  return { host, timeoutMs, idleTimeoutMs };
}
