import { createRequire } from "node:module";
import type * as OtelApi from "@opentelemetry/api";
import type { Attributes, Context, Span, SpanContext, SpanKind, SpanOptions, Tracer } from "@opentelemetry/api";

const require = createRequire(import.meta.url);

/**
 * Where the OpenTelemetry API (every 1.x copy of it) keeps what was registered: a tracer provider,
 * a context manager, a propagator. Until something is there, every span is a no-op, so corral does
 * not load the API (some 40 files) in a process that never traces.
 */
const OTEL_GLOBAL = Symbol.for("opentelemetry.js.api.1");
let otelApi: typeof OtelApi | undefined;

/** The OpenTelemetry API once anything registered with it; undefined while nothing did. */
function otel(): typeof OtelApi | undefined {
  if (otelApi) return otelApi;
  if ((globalThis as Record<symbol, unknown>)[OTEL_GLOBAL] === undefined) return undefined;
  otelApi = require("@opentelemetry/api") as typeof OtelApi;
  return otelApi;
}

/** `SpanKind.INTERNAL` and `SpanKind.CLIENT` of the API, without loading it. */
export const SPAN_KIND_INTERNAL = 0 as SpanKind;
export const SPAN_KIND_CLIENT = 2 as SpanKind;
/** `SpanStatusCode.ERROR`. */
const STATUS_ERROR = 2;

const INVALID_SPAN_CONTEXT: SpanContext = { traceId: "00000000000000000000000000000000", spanId: "0000000000000000", traceFlags: 0 };

/** The span handed out while nothing is registered: records nothing (as the API's NonRecordingSpan). */
const noopSpan: Span = {
  spanContext: () => INVALID_SPAN_CONTEXT,
  setAttribute: () => noopSpan,
  setAttributes: () => noopSpan,
  addEvent: () => noopSpan,
  addLink: () => noopSpan,
  addLinks: () => noopSpan,
  setStatus: () => noopSpan,
  updateName: () => noopSpan,
  end: () => {},
  isRecording: () => false,
  recordException: () => {},
};

/**
 * corral's tracer. Until an OpenTelemetry SDK registers a tracer provider (the server does when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set) it hands out non-recording spans and nothing is kept or sent.
 */
export const corralTracer: Tracer = {
  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    const api = otel();
    return api ? api.trace.getTracer("@corral/core").startSpan(name, options, context) : noopSpan;
  },
  startActiveSpan(name: string, ...rest: unknown[]): unknown {
    const api = otel();
    if (api) return (api.trace.getTracer("@corral/core").startActiveSpan as (...args: unknown[]) => unknown)(name, ...rest);
    const fn = rest.at(-1) as (span: Span) => unknown;
    return fn(noopSpan);
  },
} as Tracer;

/** Starts a span under the active one (a run's span inside a run). */
export function startCorralSpan(name: string, attributes: Attributes, kind: SpanKind = SPAN_KIND_INTERNAL): Span {
  const api = otel();
  if (!api) return noopSpan;
  return api.trace.getTracer("@corral/core").startSpan(name, { kind, attributes }, api.context.active());
}

/** Ends a span; with an error, marks it failed with `error.type` (the error's `code`, else its class name). */
export function endCorralSpan(span: Span, error?: unknown): void {
  if (error !== undefined && span.isRecording()) {
    const code = (error as { code?: unknown } | null)?.code;
    const type = typeof code === "string" ? code : error instanceof Error ? error.constructor.name : "_OTHER";
    span.setAttribute("error.type", type);
    span.setStatus({ code: STATUS_ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** Runs a promise-returning function with `span` as the active span (its awaits inherit it). */
export function inSpan<T>(span: Span, run: () => Promise<T>): Promise<T> {
  const api = span.isRecording() ? otel() : undefined;
  if (!api) return run();
  return api.context.with(api.trace.setSpan(api.context.active(), span), run);
}

/**
 * Steps an async generator with `span` active while its body runs: a generator's body runs in the
 * context of whoever calls `next`, so without this the spans it starts would not be children of `span`.
 * A non-recording span (no SDK) costs nothing: the source is returned as it is.
 */
export function withSpanContext<T, R>(span: Span, source: AsyncGenerator<T, R>): AsyncGenerator<T, R> {
  const api = span.isRecording() ? otel() : undefined;
  if (!api) return source;
  return stepIn(api, api.trace.setSpan(api.context.active(), span), source);
}

async function* stepIn<T, R>(api: typeof OtelApi, active: Context, source: AsyncGenerator<T, R>): AsyncGenerator<T, R> {
  let finished = false;
  try {
    for (;;) {
      const next = await api.context.with(active, () => source.next());
      if (next.done) {
        finished = true;
        return next.value;
      }
      yield next.value;
    }
  } catch (error) {
    finished = true;
    throw error;
  } finally {
    // The consumer stopped early: let the source run its own clean-up, in the same context.
    if (!finished) await api.context.with(active, () => source.return(undefined as R));
  }
}
