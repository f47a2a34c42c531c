import { readFile } from "node:fs/promises";
import type { FakeOllamaOptions } from "../start-fake-ollama.js";

/**
 * Reads a `--script` file: either a JSON array of turns, or an object with any of `chat` (turns),
 * `models`, `faults`, `embedDimensions`, `version` and the realistic modes (`contextOverflow`, `defaultNumCtx`,
 * `toolCallChunks`, `omitCapabilities`, `numParallel`, `maxQueue`). Throws an Error naming the file and what is wrong.
 */
export async function loadScriptFile(path: string): Promise<FakeOllamaOptions> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read script file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`script file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(value)) return { chat: value };
  if (!value || typeof value !== "object")
    throw new Error(`script file ${path} must hold an array of turns or an object with "chat", "models", "faults"`);
  const allowed = new Set([
    "chat",
    "models",
    "faults",
    "embedDimensions",
    "version",
    "contextOverflow",
    "defaultNumCtx",
    "toolCallChunks",
    "omitCapabilities",
    "numParallel",
    "maxQueue",
  ]);
  const unknown = Object.keys(value).filter((key) => !allowed.has(key));
  if (unknown.length > 0)
    throw new Error(`script file ${path}: unknown field(s) ${unknown.join(", ")}; allowed: ${[...allowed].join(", ")}`);
  const options = value as FakeOllamaOptions;
  if (options.chat !== undefined && !Array.isArray(options.chat)) throw new Error(`script file ${path}: "chat" must be an array of turns`);
  return options;
}
