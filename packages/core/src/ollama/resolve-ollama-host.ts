const DEFAULT_HOST = "http://127.0.0.1:11434";

/**
 * The Ollama address to use: the given value, else `OLLAMA_HOST`, else
 * `http://127.0.0.1:11434`. Values are read as Ollama reads `OLLAMA_HOST`: a bare
 * `host:port` gets `http://`, a missing port is 11434 (80/443 when a scheme is given), and a
 * bind-all address (`0.0.0.0`, `::`) means this machine.
 * @example resolveOllamaHost("gpu-box:11434") // "http://gpu-box:11434"
 */
export function resolveOllamaHost(value: string | undefined = process.env.OLLAMA_HOST): string {
  const raw = value?.trim();
  if (!raw) return DEFAULT_HOST;
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  const url = new URL(hasScheme ? raw : `http://${raw.startsWith(":") ? `127.0.0.1${raw}` : raw}`);
  if (!hasScheme && url.port === "") url.port = "11434";
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
  if (url.hostname === "[::]") url.hostname = "[::1]";
  return url.toString().replace(/\/+$/, "");
}
