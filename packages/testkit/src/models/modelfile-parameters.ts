import type { FakeModel } from "./fake-model.js";

/** The parameters a model reports when none are given. */
const DEFAULT_PARAMETERS: NonNullable<FakeModel["parameters"]> = { stop: ["<|im_end|>"] };

/** The `parameters` text of `/api/show`: one `name value` line per value, names padded to 30 columns, strings quoted. */
export function parametersText(model: FakeModel): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(model.parameters ?? DEFAULT_PARAMETERS)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      lines.push(`${name.padEnd(30)} ${typeof item === "string" ? JSON.stringify(item) : String(item)}`);
    }
  }
  return lines.join("\n");
}

/** A numeric Modelfile parameter (`num_ctx`, `num_keep`), if set. */
export function numericParameter(model: FakeModel, name: string): number | undefined {
  const value = model.parameters?.[name];
  const number = typeof value === "string" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : undefined;
}
