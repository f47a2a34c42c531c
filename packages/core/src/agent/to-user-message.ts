import { readFile, stat } from "node:fs/promises";
import { ConfigError } from "../errors/config-error.js";
import type { Message } from "../model/message.js";
import type { AgentInput, ImageInput } from "./agent-options.js";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The user turn for an input, with images turned into the raw base64 Ollama wants. */
export async function toUserMessage(input: AgentInput): Promise<Message> {
  if (typeof input === "string") return { role: "user", content: input };
  const message: Message = { role: "user", content: input.text };
  if (input.images?.length) message.images = await Promise.all(input.images.map(toBase64Image));
  return message;
}

/**
 * An image as raw base64: bytes are encoded, a `data:` URL loses its prefix (Ollama rejects
 * it), an existing file path is read, and anything else must already be base64.
 */
export async function toBase64Image(image: ImageInput): Promise<string> {
  if (typeof image !== "string") return Buffer.from(image).toString("base64");
  const dataUrl = /^data:[^;,]*;base64,(.*)$/s.exec(image);
  if (dataUrl) return dataUrl[1]!;
  if (image.length < 4096 && (await isFile(image))) return (await readFile(image)).toString("base64");
  const compact = image.replace(/\s+/g, "");
  if (compact.length > 0 && BASE64.test(compact)) return compact;
  throw new ConfigError(
    `Image "${image.slice(0, 60)}" is neither a readable file, a data: URL nor base64. Pass a file path, bytes or base64.`,
  );
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
