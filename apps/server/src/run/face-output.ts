import type { AgentEvent, AgentResult } from "@corral/core";
import type { Face } from "../error-body.js";

/** An agent event that is neither the run's end nor its failure: what a face turns into chunks. */
export type ProgressEvent = Exclude<AgentEvent, { type: "finish" | "error" }>;

/**
 * How one face writes a run out; `serveRun` does everything else. Each method returns the
 * response's chunks (SSE messages or NDJSON lines) already encoded, so the skeleton only writes them.
 */
export interface FaceOutput<Json = unknown> {
  /** The face: errors are reported in its shape (status and body, or in the stream). */
  readonly face: Face;
  /** The Content-Type of a streamed answer. */
  readonly contentType: string;
  /** Whether a streamed answer carries SSE heartbeat comments. */
  readonly heartbeat: boolean;
  /** The whole answer of a run with `stream: false`. */
  json(result: AgentResult): Json;
  /** Chunks written once a stream is committed, before the first event. */
  opening?(): string[];
  /** Chunks for one event of the run (text and thinking deltas, tool calls, ...); none to skip it. */
  event(event: ProgressEvent): string[];
  /** Chunks ending a stream whose run finished. */
  closing(result: AgentResult): string[];
}
