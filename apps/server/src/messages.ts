import type { AgentInput, Message } from "@corral/core";
import { InvalidRequestError } from "./server-errors.js";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Raw bytes of an image sent as base64 or a `data:` URL. Turning it into bytes here means a
 * string can never be read as a file path on the server.
 */
export function imageBytes(value: string, param: string): Uint8Array {
  let data = value.trim();
  const dataUrl = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(data);
  if (dataUrl) {
    if (!dataUrl[2]) throw new InvalidRequestError(`${param}: only base64 data URLs are accepted.`, { param });
    data = dataUrl[3] ?? "";
  } else if (/^[a-z]+:\/\//i.test(data)) {
    throw new InvalidRequestError(`${param}: remote image URLs are not fetched; send the image as base64 or a data: URL.`, { param });
  }
  data = data.replace(/\s+/g, "");
  if (!data || data.length % 4 === 1 || !BASE64.test(data)) {
    throw new InvalidRequestError(`${param}: not valid base64 image data.`, { param });
  }
  const bytes = Buffer.from(data, "base64");
  if (!looksLikeImage(bytes)) throw new InvalidRequestError(`${param}: not a PNG, JPEG, GIF, WebP or BMP image.`, { param });
  return bytes;
}

/** Checks the magic bytes of the image formats vision models take. */
function looksLikeImage(bytes: Buffer): boolean {
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return true; // PNG
  if (starts(0xff, 0xd8, 0xff)) return true; // JPEG
  if (starts(0x47, 0x49, 0x46, 0x38)) return true; // GIF
  if (starts(0x42, 0x4d)) return true; // BMP
  return starts(0x52, 0x49, 0x46, 0x46) && bytes.subarray(8, 12).toString("latin1") === "WEBP";
}

/** The conversation split into earlier history and the new user turn, as the agent takes it. */
export interface Turn {
  /** The new user turn; undefined when the conversation ends with tool results the run continues from. */
  input: AgentInput | undefined;
  history: Message[];
}

/**
 * Splits a protocol's message list: the last message is the user's (the rest is history), or
 * the results of the client's tools (the whole list is history and the run continues from it).
 * Images of the last user message go to the agent as bytes.
 */
export function splitTurn(messages: Message[], param = "messages"): Turn {
  const last = messages.at(-1);
  if (last?.role === "tool") {
    if (!messages.some((message) => message.role === "assistant" && message.tool_calls?.length)) {
      throw new InvalidRequestError(`"${param}" ends with a tool result, but no assistant message before it made a tool call.`, { param });
    }
    return { input: undefined, history: withImageBytes(messages, param) };
  }
  if (last?.role !== "user") {
    throw new InvalidRequestError(
      `The last entry of "${param}" must be a user message (the agent answers it) or the results of your tools (role "tool").`,
      { param },
    );
  }
  const images = (last.images ?? []).map((image, index) => imageBytes(image, `${param}.${messages.length - 1}.images.${index}`));
  return { input: images.length ? { text: last.content, images } : last.content, history: withImageBytes(messages.slice(0, -1), param) };
}

/** Checks the images of earlier messages and keeps them as raw base64, as Ollama takes them. */
function withImageBytes(messages: Message[], param: string): Message[] {
  return messages.map((message, position) => {
    if (!message.images?.length) return message;
    return {
      ...message,
      images: message.images.map((image, index) =>
        Buffer.from(imageBytes(image, `${param}.${position}.images.${index}`)).toString("base64"),
      ),
    };
  });
}
