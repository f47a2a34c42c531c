/** One HTTP request the fake received. */
export interface RecordedRequest {
  /** `GET`, `POST`, `DELETE`, ... */
  method: string;
  /** The path without the query string, e.g. `/api/chat`. */
  path: string;
  /** The parsed JSON body, or `undefined` when there was none or it was not JSON. */
  body: unknown;
  /** The raw body text (`""` when none). */
  rawBody: string;
  /** The request headers (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** When it arrived, in milliseconds since the epoch. */
  at: number;
}
