import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { CORRAL_CHANNELS, type ModelCallRecord, type OllamaErrorRecord, type RunRecord } from "@corral/core";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RunLimiter } from "../run-limiter.js";

/** Seconds: from a quick tool-less answer to a long run on a slow machine. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** The server's Prometheus metrics (its own registry: nothing global, nothing the process did not opt into). */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Counts one answered HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Stops listening to corral's channels. */
  close(): void;
}

/**
 * Creates the metrics `/metrics` serves: HTTP requests by route and status, run and model-call
 * durations, tokens by model, Ollama errors by host (from corral's diagnostics channels, for every
 * run in this process) and the run limiter's active and queued runs.
 */
export function createServerMetrics(limiter: RunLimiter): ServerMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: "corral_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status code.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: "corral_http_request_duration_seconds",
    help: "Time to answer an HTTP request (a stream: until it ended), by method and route pattern.",
    labelNames: ["method", "route"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const runSeconds = new Histogram({
    name: "corral_run_duration_seconds",
    help: "Agent runs, by model and outcome (finish or error).",
    labelNames: ["model", "outcome"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const modelCallSeconds = new Histogram({
    name: "corral_model_call_duration_seconds",
    help: "Ollama chat calls, by model and outcome (ok or error).",
    labelNames: ["model", "outcome"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const tokens = new Counter({
    name: "corral_tokens_total",
    help: "Tokens Ollama reported, by model and type (input: the prompt, output: the answer).",
    labelNames: ["model", "type"] as const,
    registers: [registry],
  });
  const ollamaErrors = new Counter({
    name: "corral_ollama_errors_total",
    help: "Failed requests to an Ollama host (retried ones too), by host and error code.",
    labelNames: ["host", "code"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "corral_runs_active",
    help: "Runs holding one of the limiter's slots.",
    registers: [registry],
    collect() {
      this.set(limiter.active);
    },
  });
  new Gauge({
    name: "corral_runs_queued",
    help: "Runs waiting for a slot in the run limiter (the queue depth).",
    registers: [registry],
    collect() {
      this.set(limiter.queued);
    },
  });

  const onRun = (message: unknown) => {
    const run = message as RunRecord;
    runSeconds.observe({ model: run.model, outcome: run.outcome }, run.durationMs / 1000);
  };
  const onModelCall = (message: unknown) => {
    const call = message as ModelCallRecord;
    modelCallSeconds.observe({ model: call.model, outcome: call.errorCode ? "error" : "ok" }, call.durationMs / 1000);
    if (call.inputTokens) tokens.inc({ model: call.model, type: "input" }, call.inputTokens);
    if (call.outputTokens) tokens.inc({ model: call.model, type: "output" }, call.outputTokens);
  };
  const onOllamaError = (message: unknown) => {
    const failure = message as OllamaErrorRecord;
    ollamaErrors.inc({ host: failure.host, code: failure.code });
  };
  subscribe(CORRAL_CHANNELS.run, onRun);
  subscribe(CORRAL_CHANNELS.modelCall, onModelCall);
  subscribe(CORRAL_CHANNELS.ollamaError, onOllamaError);

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      requestSeconds.observe({ method, route }, seconds);
    },
    close() {
      unsubscribe(CORRAL_CHANNELS.run, onRun);
      unsubscribe(CORRAL_CHANNELS.modelCall, onModelCall);
      unsubscribe(CORRAL_CHANNELS.ollamaError, onOllamaError);
    },
  };
}
