import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeOllama } from "@corral/testkit";
import type { AgentEvent } from "../agent/agent-event.js";
import type { ChatStreamPart } from "../model/chat-model.js";

/** Collects every event of a stream. */
export async function collect(stream: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** The text of a chat model's stream to its end, and the error that ended it, if any. */
export async function drain(stream: AsyncIterable<ChatStreamPart>): Promise<{ text: string; error?: unknown }> {
  let text = "";
  try {
    for await (const part of stream) text += part.content;
    return { text };
  } catch (error) {
    return { text, error };
  }
}

/** The bodies of the `/api/chat` requests the fake received, in order. */
export function chatBodies(fake: FakeOllama): Record<string, any>[] {
  return fake.requestsTo("/api/chat").map((request) => request.body as Record<string, any>);
}

/** The `role: "tool"` messages of one chat request body. */
export function toolMessagesOf(body: Record<string, any>): Record<string, any>[] {
  return body.messages.filter((message: { role: string }) => message.role === "tool");
}

/** The events of one type. */
export function ofType<T extends AgentEvent["type"]>(events: AgentEvent[], type: T): Extract<AgentEvent, { type: T }>[] {
  return events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);
}

/**
 * A bare HTTP server that answers `/api/chat` with exactly the NDJSON lines given, for the
 * protocol corners a scripted fake does not produce (tool calls on the `done:true` line).
 */
export async function startRawOllama(replies: string[][]): Promise<{ url: string; close(): Promise<void>; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  let next = 0;
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      if (request.url === "/api/show") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            capabilities: ["completion", "tools"],
            model_info: { "general.architecture": "raw", "raw.context_length": 4096 },
          }),
        );
        return;
      }
      bodies.push(JSON.parse(body || "{}"));
      const lines = replies[Math.min(next++, replies.length - 1)]!;
      response.writeHead(200, { "content-type": "application/x-ndjson" });
      response.end(lines.map((line) => `${line}\n`).join(""));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
