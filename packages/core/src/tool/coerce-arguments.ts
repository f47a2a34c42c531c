import type { JsonSchema } from "../model/chat-model.js";

/**
 * Small models often send `"5"` for a number or `"true"` for a boolean. Returns a copy of the
 * arguments with such strings converted where the tool's JSON Schema wants a number, integer
 * or boolean at the top level; everything else is left alone for the schema to judge.
 */
export function coerceArguments(args: Record<string, unknown>, parameters: JsonSchema): Record<string, unknown> | undefined {
  const properties = parameters.properties as Record<string, { type?: unknown }> | undefined;
  if (!properties) return undefined;
  let changed = false;
  const copy: Record<string, unknown> = { ...args };
  for (const [key, value] of Object.entries(args)) {
    const types = [properties[key]?.type].flat();
    if (typeof value !== "string") continue;
    const trimmed = value.trim();
    if ((types.includes("number") || types.includes("integer")) && trimmed !== "" && Number.isFinite(Number(trimmed))) {
      copy[key] = Number(trimmed);
      changed = true;
    } else if (types.includes("boolean") && (trimmed === "true" || trimmed === "false")) {
      copy[key] = trimmed === "true";
      changed = true;
    }
  }
  return changed ? copy : undefined;
}
