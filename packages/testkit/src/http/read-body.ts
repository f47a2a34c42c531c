import type { IncomingMessage } from "node:http";

/** The raw request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

/** Parses a JSON body: `undefined` for an empty body, an `Error` for invalid JSON. */
export function parseBody(raw: string): { value: unknown } | { error: string } {
  if (raw.trim() === "") return { value: undefined };
  try {
    return { value: JSON.parse(raw) };
  } catch (error) {
    return { error: `invalid character in JSON body: ${(error as Error).message}` };
  }
}
