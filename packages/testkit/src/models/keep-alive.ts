const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses `keep_alive` like Ollama: a number is seconds, a string is a Go duration (`"5m"`, `"1h30m"`, `"0"`).
 * Returns milliseconds (negative means forever), or an error message for a bad value such as `"300"`.
 */
export function parseKeepAlive(value: unknown): { ms: number } | { error: string } {
  if (value === undefined || value === null) return { ms: 5 * 60_000 };
  if (typeof value === "number" && Number.isFinite(value)) return { ms: value * 1000 };
  if (typeof value !== "string") return { error: `invalid keep_alive value: ${JSON.stringify(value)}` };
  const text = value.trim();
  if (text === "0") return { ms: 0 };
  const match = /^([+-]?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(text);
  if (!match) return { error: `time: missing unit in duration "${text}"` };
  let ms = 0;
  for (const part of match[2]!.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(part[1]) * UNITS[part[2]!]!;
  return { ms: match[1] === "-" ? -ms : ms };
}
