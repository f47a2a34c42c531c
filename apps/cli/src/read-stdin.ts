import type { CliInput } from "./cli-io.js";

/** Reads `input` to its end as UTF-8 text. */
export async function readAll(input: CliInput): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
