import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError, resolveOllamaHost } from "@corral/core";
import { type CorralConfig, configSchema } from "./config-schema.js";
import { formatIssues } from "./format-issues.js";
import { isDatabaseIndex } from "./index-location.js";

/** The file name `loadConfig` looks for. */
export const CONFIG_FILE_NAME = "corral.config.json";

/** Values from command-line flags; they win over everything else. */
export interface ConfigFlags {
  /** Chat model (`--model`). */
  model?: string;
  /** Embedding model (`--embed-model`). */
  embedModel?: string;
  /** Index directory (`--index`), relative to `cwd`. */
  index?: string;
  /** Ollama's address (`--host`). */
  host?: string;
}

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** Where to start looking for `corral.config.json` and what relative flags are resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** An explicit config file (`--config`); it must exist. Without it, `corral.config.json` is looked up from `cwd` upwards. */
  file?: string;
  /** Command-line values. */
  flags?: ConfigFlags;
  /** The environment to read (`OLLAMA_HOST`, `CORRAL_MODEL`, `CORRAL_EMBED_MODEL`, `CORRAL_INDEX`, `CORRAL_API_KEY`, `CORRAL_DATABASE_URL`, `CORRAL_REDIS_URL`). Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** What `loadConfig` resolves to. */
export interface LoadedConfig {
  /** The effective configuration; `index` and agents' `docs` are absolute paths. */
  config: CorralConfig;
  /** The config file that was read, absolute, or undefined when none was found. */
  file?: string;
}

async function isFile(candidate: string): Promise<boolean> {
  try {
    return (await stat(candidate)).isFile();
  } catch {
    return false;
  }
}

async function findConfigFile(cwd: string): Promise<string | undefined> {
  let directory = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(directory, CONFIG_FILE_NAME);
    if (await isFile(candidate)) return candidate;
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position ? ` at ${lineAndColumn(text, Number(position))}` : "";
    const hint = /^\s*\/[/*]/m.test(text) ? ' Comments are not JSON: put notes in "$comment" fields instead.' : "";
    throw new ConfigError(`${file} is not valid JSON${where}: ${message}.${hint}`, { cause: error });
  }
}

function fromEnv(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  if (!value.trim()) return undefined;
  return value.trim();
}

function checkHost(value: string, source: string): string {
  try {
    return resolveOllamaHost(value);
  } catch (error) {
    throw new ConfigError(`${source} is not a valid address: "${value}". Use host:port or a URL like http://127.0.0.1:11434.`, {
      cause: error,
    });
  }
}

/**
 * Loads the configuration: flags > environment > `corral.config.json` > defaults.
 * Environment: `OLLAMA_HOST`, `CORRAL_MODEL`, `CORRAL_EMBED_MODEL`, `CORRAL_INDEX`, and
 * `CORRAL_API_KEY` (comma-separated keys, added to `server.apiKeys`), `CORRAL_DATABASE_URL` and
 * `CORRAL_REDIS_URL` (over `server.databaseUrl` / `server.redisUrl`). Relative paths in the
 * file are relative to the file's folder; in flags and the environment, to `cwd`.
 * Throws a ConfigError naming the file and the field when something is wrong.
 * @example
 * const { config, file } = await loadConfig({ cwd: process.cwd(), flags: { model: "llama3.2:3b" } });
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};

  let file: string | undefined;
  if (options.file) {
    file = path.resolve(cwd, options.file);
    if (!(await isFile(file))) throw new ConfigError(`Config file ${file} does not exist. Create it with \`corral init\` or fix the path.`);
  } else {
    file = await findConfigFile(cwd);
  }

  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new ConfigError(`Cannot read config file ${file}: ${(error as Error).message}`, { cause: error });
    }
    raw = text.trim() ? parseJson(text, file) : {};
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`Invalid config file ${file}: ${formatIssues(parsed.error)}.`, { cause: parsed.error });
  }
  const config = parsed.data;
  const fileDirectory = file ? path.dirname(file) : cwd;
  // A postgresql:// URL is an index in a database, not a path: left as written.
  if (!isDatabaseIndex(config.index)) config.index = path.resolve(fileDirectory, config.index);
  for (const agent of Object.values(config.agents)) {
    if (Array.isArray(agent.docs)) agent.docs = agent.docs.map((entry) => path.resolve(fileDirectory, entry));
  }
  // A stdio MCP server runs in the file's folder, so `"args": ["./server.js"]` means what it says.
  for (const server of Object.values(config.mcpServers)) {
    if (server.command !== undefined) server.cwd = path.resolve(fileDirectory, server.cwd ?? ".");
  }

  // The environment, then flags, each overriding what came before.
  const layers: { source: (name: string) => string; values: ConfigFlags }[] = [
    {
      source: (name) =>
        ({ host: "OLLAMA_HOST", model: "CORRAL_MODEL", embedModel: "CORRAL_EMBED_MODEL", index: "CORRAL_INDEX" })[name] ?? name,
      values: {
        host: fromEnv(env, "OLLAMA_HOST"),
        model: fromEnv(env, "CORRAL_MODEL"),
        embedModel: fromEnv(env, "CORRAL_EMBED_MODEL"),
        index: fromEnv(env, "CORRAL_INDEX"),
      },
    },
    {
      source: (name) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`,
      values: flags,
    },
  ];
  for (const { source, values } of layers) {
    for (const key of ["host", "model", "embedModel", "index"] as const) {
      const value = values[key];
      if (value === undefined) continue;
      if (typeof value !== "string" || !value.trim()) throw new ConfigError(`${source(key)} must be a non-empty string.`);
      if (key === "host") {
        config.ollama.host = checkHost(value.trim(), source(key));
        // One host named in the environment or a flag wins over the file's list, as over its `host`.
        delete config.ollama.hosts;
      } else if (key === "index") config.index = isDatabaseIndex(value.trim()) ? value.trim() : path.resolve(cwd, value.trim());
      else config[key] = value.trim();
    }
  }

  // Server URLs: the environment wins over the file.
  for (const [variable, key, pattern, expected] of [
    ["CORRAL_DATABASE_URL", "databaseUrl", /^postgres(ql)?:\/\//, "a postgresql:// URL"],
    ["CORRAL_REDIS_URL", "redisUrl", /^rediss?:\/\//, "a redis:// or rediss:// URL"],
  ] as const) {
    const value = fromEnv(env, variable);
    if (value === undefined) continue;
    if (!pattern.test(value)) throw new ConfigError(`${variable} must be ${expected} (it starts with "${value.split(":")[0]}:").`);
    config.server[key] = value;
  }

  const keys = (env.CORRAL_API_KEY ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter(Boolean);
  if (keys.length) {
    const short = keys.find((key) => key.length < 16);
    if (short !== undefined)
      throw new ConfigError("CORRAL_API_KEY: every key must be at least 16 characters long (try `openssl rand -hex 24`).");
    config.server.apiKeys = [...new Set([...(config.server.apiKeys ?? []), ...keys])];
  }

  return { config, file };
}
