/**
 * Normalises a model reference the way Ollama looks models up: case-insensitive, `latest` as the default
 * tag, and the default registry and `library/` namespace dropped.
 */
export function normalizeModelName(name: string): string {
  let value = name.trim().toLowerCase();
  value = value.replace(/^registry\.ollama\.ai\//, "").replace(/^library\//, "");
  const lastSlash = value.lastIndexOf("/");
  const lastColon = value.lastIndexOf(":");
  if (lastColon <= lastSlash) value = `${value}:latest`;
  return value;
}

/** The full canonical name Ollama puts in some error messages, e.g. `registry.ollama.ai/library/gemma3:4b`. */
export function canonicalModelName(name: string): string {
  const normalized = normalizeModelName(name);
  return normalized.includes("/") ? `registry.ollama.ai/${normalized}` : `registry.ollama.ai/library/${normalized}`;
}
