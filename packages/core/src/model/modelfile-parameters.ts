/** A Modelfile's `PARAMETER`s by name; a name given more than once (`stop`) holds a list. */
export type ModelfileParameters = Record<string, string | number | boolean | (string | number | boolean)[]>;

/**
 * Parses the `parameters` text of Ollama's `/api/show` (`"num_ctx                        8192\nstop \"<|im_end|>\""`):
 * one `name value` per line; quoted values are strings, numbers and booleans are typed, repeated names collect.
 * @example
 * parseModelfileParameters('num_ctx 8192\nstop "<|im_end|>"'); // { num_ctx: 8192, stop: "<|im_end|>" }
 */
export function parseModelfileParameters(text: string | undefined): ModelfileParameters {
  const parameters: ModelfileParameters = {};
  for (const line of (text ?? "").split("\n")) {
    const match = /^\s*([A-Za-z_][\w.-]*)\s+(.*?)\s*$/.exec(line);
    if (!match) continue;
    const [, name, raw] = match as unknown as [string, string, string];
    const value = parseValue(raw);
    const existing = parameters[name];
    if (existing === undefined) parameters[name] = value;
    else parameters[name] = [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return parameters;
}

function parseValue(raw: string): string | number | boolean {
  if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  }
  if (raw === "true" || raw === "false") return raw === "true";
  const number = Number(raw);
  return raw !== "" && Number.isFinite(number) ? number : raw;
}

/** A numeric parameter (`num_ctx`, `num_keep`), if the Modelfile sets one. */
export function numericModelfileParameter(parameters: ModelfileParameters | undefined, name: string): number | undefined {
  const value = parameters?.[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
