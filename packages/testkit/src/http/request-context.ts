import type { IncomingMessage, ServerResponse } from "node:http";

/** Everything a route needs to answer one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path without the query string. */
  path: string;
  /** The parsed JSON body (`undefined` when empty). */
  body: unknown;
  /** Aborted when the client disconnects or the fake closes. */
  signal: AbortSignal;
}

/** Whether errors on this path use the OpenAI shape. */
export function isOpenAiPath(path: string): boolean {
  return path.startsWith("/v1/");
}
