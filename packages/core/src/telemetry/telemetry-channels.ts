import { channel } from "node:diagnostics_channel";

/**
 * The `node:diagnostics_channel` names corral publishes on, for metrics (the server's `/metrics`
 * subscribes). Publishing is skipped while a channel has no subscriber.
 */
export const CORRAL_CHANNELS = {
  /** One record per agent run that ended: RunRecord. */
  run: "corral:run",
  /** One record per Ollama chat call that ended: ModelCallRecord. */
  modelCall: "corral:model-call",
  /** One record per failed request to an Ollama host (a retried one counts too): OllamaErrorRecord. */
  ollamaError: "corral:ollama-error",
} as const;

/** An agent run that ended. */
export interface RunRecord {
  model: string;
  durationMs: number;
  /** `finish` (with its reason) or `error` (with the error's code). */
  outcome: "finish" | "error";
  finishReason?: string;
  errorCode?: string;
}

/** An Ollama chat call that ended. */
export interface ModelCallRecord {
  model: string;
  /** The host that answered (undefined when no host took the call). */
  host?: string;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  errorCode?: string;
}

/** A request to an Ollama host that failed. */
export interface OllamaErrorRecord {
  host: string;
  code: string;
}

const runChannel = channel(CORRAL_CHANNELS.run);
const modelCallChannel = channel(CORRAL_CHANNELS.modelCall);
const ollamaErrorChannel = channel(CORRAL_CHANNELS.ollamaError);

/** Publishes a run's record when anyone listens. */
export function publishRun(record: () => RunRecord): void {
  if (runChannel.hasSubscribers) runChannel.publish(record());
}

/** Publishes a model call's record when anyone listens. */
export function publishModelCall(record: () => ModelCallRecord): void {
  if (modelCallChannel.hasSubscribers) modelCallChannel.publish(record());
}

/** Publishes an Ollama host's failure when anyone listens. */
export function publishOllamaError(record: () => OllamaErrorRecord): void {
  if (ollamaErrorChannel.hasSubscribers) ollamaErrorChannel.publish(record());
}
