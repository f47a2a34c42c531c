/** The server's public HTTP API, as the page calls it: same origin, the tab's API key if any. */

const KEY_NAME = "corral.apiKey";

/** The server wants an API key (401): the page asks for one. */
export class KeyRequiredError extends Error {
  constructor(readonly refused: boolean) {
    super(refused ? "The server refused this API key." : "The server needs an API key.");
  }
}

/** An error answer of the API, with its code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API key of this tab (sessionStorage: it goes when the tab closes). */
export function apiKey(): string | null {
  return sessionStorage.getItem(KEY_NAME);
}

/** Keeps the key for this tab only. */
export function setApiKey(key: string): void {
  sessionStorage.setItem(KEY_NAME, key);
}

/** Request options with plain-object headers. */
export type RequestOptions = Omit<RequestInit, "headers"> & { headers?: Record<string, string> };

/** Adds the tab's key to request headers. */
export function authHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const key = apiKey();
  return key ? { ...headers, authorization: `Bearer ${key}` } : headers;
}

/** Turns an error answer into KeyRequiredError or ApiError. */
export async function failure(status: number, text: string): Promise<Error> {
  if (status === 401) return new KeyRequiredError(apiKey() !== null);
  let code = "http_error";
  let message = `The server answered ${status}.`;
  try {
    const body = JSON.parse(text) as { error?: { message?: string; code?: string } | string };
    if (typeof body.error === "string") message = body.error;
    else if (body.error?.message) {
      message = body.error.message;
      code = body.error.code ?? code;
    }
  } catch {
    if (text.trim()) message = text.trim();
  }
  return new ApiError(status, code, message);
}

/** A request to the API; throws on an error answer. */
export async function request(path: string, init: RequestOptions = {}): Promise<Response> {
  const response = await fetch(path, { ...init, headers: authHeaders(init.headers) });
  if (!response.ok) throw await failure(response.status, await response.text());
  return response;
}

/** A JSON request to the API. */
export async function getJson<T>(path: string, init: RequestOptions = {}): Promise<T> {
  const response = await request(path, { ...init, headers: { accept: "application/json", ...init.headers } });
  return (await response.json()) as T;
}

/** A JSON body. */
export function jsonBody(value: unknown): { method: "POST"; body: string; headers: Record<string, string> } {
  return { method: "POST", body: JSON.stringify(value), headers: { "content-type": "application/json" } };
}

/** A passage the answer drew on (`sources` of a run). */
export interface Source {
  n: number;
  id?: string;
  path?: string;
  startLine?: number;
  endLine?: number;
  page?: number;
  headingPath?: string[];
  score?: number;
  /** The passage's text (the sources of a stored session's answers carry it). */
  text?: string;
}

/** A search hit as `search_docs` and `GET /v1/search` return it. */
export interface Hit {
  id: number | string;
  text: string;
  score: number;
  source: { path: string; startLine?: number; endLine?: number; page?: number; headingPath?: string[] };
}

/** Where a passage is: `path:start-end` (or `path:start`, or `path p. n`). */
export function location(place: { path?: string; startLine?: number; endLine?: number; page?: number }): string {
  const path = place.path ?? "(unknown)";
  if (place.startLine !== undefined) {
    return place.endLine !== undefined && place.endLine !== place.startLine
      ? `${path}:${place.startLine}-${place.endLine}`
      : `${path}:${place.startLine}`;
  }
  return place.page !== undefined ? `${path} p. ${place.page}` : path;
}

/** A session as `GET /v1/sessions` lists it. */
export interface SessionSummary {
  id: string;
  agent: string;
  title: string | null;
  message_count: number | null;
  updated_at: string;
}

/** A stored message of a session. */
export interface StoredMessage {
  role: string;
  content: string;
  thinking?: string;
  tool_calls?: { function: { name: string; arguments?: Record<string, unknown> } }[];
  tool_name?: string;
}

/** `GET /v1/sessions/:id`: the messages, and each answer's sources by the index of its message. */
export interface StoredSession {
  id: string;
  agent: string;
  messages: StoredMessage[];
  sources?: Record<string, Source[]>;
}

/** `GET /v1/index`. */
export interface IndexStatus {
  exists: boolean;
  documents: number;
  chunks: number;
  vectors: number;
  pending_embeddings: number;
  embedding_model: string | null;
  keyword_only: boolean;
  keyword_only_reason?: string;
  data: { id: number; path: string; kind: string; size: number }[];
}

/** What `POST /v1/documents` answers. */
export interface UploadResult {
  id: number;
  name: string;
  path: string;
  bytes: number;
  report: { added: number; updated: number; unchanged: number; chunksAdded: number; pendingEmbeddings: number; warnings: string[] };
}

/**
 * Uploads a file as multipart (`file` field), reporting progress; XMLHttpRequest because fetch
 * reports no upload progress.
 */
export function uploadDocument(file: File, onProgress: (fraction: number) => void): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/documents");
    for (const [name, value] of Object.entries(authHeaders({ accept: "application/json" }))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(JSON.parse(xhr.responseText) as UploadResult);
      } else {
        failure(xhr.status, xhr.responseText).then(reject, reject);
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "network_error", "The upload failed: the server could not be reached."));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
