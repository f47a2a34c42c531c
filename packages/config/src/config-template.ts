import { writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "@corral/core";
import { DEFAULTS } from "./config-schema.js";
import { CONFIG_FILE_NAME } from "./load-config.js";

/**
 * The text of a starter `corral.config.json`. It is plain JSON: notes live in `"$comment"`
 * fields, which corral ignores (comments with `//` are not JSON and are rejected).
 */
export function configTemplate(): string {
  const template = {
    $comment:
      "corral configuration. Precedence: command-line flags > environment (OLLAMA_HOST, CORRAL_MODEL, CORRAL_EMBED_MODEL, CORRAL_INDEX, CORRAL_API_KEY) > this file > defaults. Relative paths are relative to this file. Unknown fields are errors.",
    ollama: { $comment: "Where Ollama runs (OLLAMA_HOST overrides).", host: "http://127.0.0.1:11434" },
    model: DEFAULTS.model,
    embedModel: DEFAULTS.embedModel,
    index: DEFAULTS.index,
    tools: [...DEFAULTS.tools],
    agents: {
      default: {
        $comment:
          "Every agent may set model, instructions, tools (presets: files, web, math, time, shell), docs (paths to index, or false), maxSteps, and the model settings think, keepAlive and options (Ollama's names: num_ctx, temperature, top_p, seed, stop, ...), which override the top-level ones.",
        instructions: "You are a helpful assistant. Answer briefly.",
        docs: ["./docs"],
      },
    },
    server: {
      $comment:
        "corral serve. Set API keys through CORRAL_API_KEY rather than in this file. Listening beyond 127.0.0.1 requires a key (or insecure: true).",
      host: DEFAULTS.server.host,
      port: DEFAULTS.server.port,
      bodyLimit: DEFAULTS.server.bodyLimit,
      rateLimit: { ...DEFAULTS.server.rateLimit },
      maxConcurrent: DEFAULTS.server.maxConcurrent,
      maxQueue: DEFAULTS.server.maxQueue,
      requestTimeoutMs: DEFAULTS.server.requestTimeoutMs,
    },
  };
  return `${JSON.stringify(template, null, 2)}\n`;
}

/** Options of `writeConfigTemplate`. */
export interface WriteConfigTemplateOptions {
  /** The folder to write into. Default `process.cwd()`. */
  cwd?: string;
  /** The file to write, relative to `cwd`. Default `corral.config.json`. */
  file?: string;
  /** Replace an existing file. Default false: an existing file is a ConfigError. */
  force?: boolean;
}

/**
 * Writes `configTemplate()` to `corral.config.json` (for `corral init`) and resolves to the
 * absolute path written. Never overwrites unless `force` is set.
 * @example
 * const file = await writeConfigTemplate({ cwd: process.cwd() });
 */
export async function writeConfigTemplate(options: WriteConfigTemplateOptions = {}): Promise<string> {
  const file = path.resolve(options.cwd ?? process.cwd(), options.file ?? CONFIG_FILE_NAME);
  try {
    await writeFile(file, configTemplate(), { flag: options.force ? "w" : "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new ConfigError(`${file} already exists. Edit it, or pass --force to replace it.`, { cause: error });
    }
    throw new ConfigError(`Cannot write ${file}: ${(error as Error).message}`, { cause: error });
  }
  return file;
}
