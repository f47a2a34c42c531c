import { ConfigError } from "../errors/config-error.js";
import type { Think } from "../model/chat-model.js";

/** The first Ollama version that accepts each kind of `think` value. */
const THINK_SINCE: Record<"boolean" | "level" | "max", [number, number, number]> = {
  boolean: [0, 9, 0],
  level: [0, 11, 1],
  max: [0, 22, 0],
};

/** `major.minor.patch` of a version string (`0.12.10`, `v0.9.0-rc1`), or undefined when it has none. */
export function parseVersion(version: string | undefined): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version?.trim() ?? "");
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

function atLeast(version: [number, number, number], minimum: [number, number, number]): boolean {
  for (let part = 0; part < 3; part++) if (version[part] !== minimum[part]) return version[part]! > minimum[part]!;
  return true;
}

/**
 * Checks a `think` value against what the Ollama version accepts: booleans since 0.9.0, `low`/`medium`/`high`
 * since 0.11.1, `max` since 0.22. `false` is always accepted (older servers ignore the field), and so is
 * anything when the version is unknown or not a number (a compatible server). Throws a ConfigError saying what
 * to use instead.
 */
export function checkThinkSupport(think: Think | undefined, version: string | undefined, host?: string): void {
  if (think === undefined || think === false) return;
  const parsed = parseVersion(version);
  if (!parsed || (parsed[0] === 0 && parsed[1] === 0 && parsed[2] === 0)) return;
  const kind = think === true ? "boolean" : think === "max" ? "max" : "level";
  const minimum = THINK_SINCE[kind];
  if (atLeast(parsed, minimum)) return;
  const needs = minimum.join(".");
  const where = host ? ` at ${host}` : "";
  const instead =
    kind === "max" && atLeast(parsed, THINK_SINCE.level)
      ? 'use think: "high"'
      : kind !== "boolean" && atLeast(parsed, THINK_SINCE.boolean)
        ? "use think: true"
        : "remove think";
  throw new ConfigError(
    `think: ${JSON.stringify(think)} needs Ollama ${needs} or later, but the server${where} runs ${version}. Upgrade Ollama, or ${instead}.`,
  );
}
