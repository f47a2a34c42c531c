import { type Attributes, context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

/**
 * corral's tracer. Until an OpenTelemetry SDK registers a tracer provider (the server does when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set) it hands out non-recording spans and nothing is kept or sent.
 */
export const corralTracer = trace.getTracer("@corral/core");

/** Starts a span under the active one (a run's span inside a run). */
export function startCorralSpan(name: string, attributes: Attributes, kind: SpanKind = SpanKind.INTERNAL): Span {
  return corralTracer.startSpan(name, { kind, attributes }, context.active());
}

/** Ends a span; with an error, marks it failed with `error.type` (the error's `code`, else its class name). */
export function endCorralSpan(span: Span, error?: unknown): void {
  if (error !== undefined && span.isRecording()) {
    const code = (error as { code?: unknown } | null)?.code;
    const type = typeof code === "string" ? code : error instanceof Error ? error.constructor.name : "_OTHER";
    span.setAttribute("error.type", type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** Runs a promise-returning function with `span` as the active span (its awaits inherit it). */
export function inSpan<T>(span: Span, run: () => Promise<T>): Promise<T> {
  if (!span.isRecording()) return run();
  return context.with(trace.setSpan(context.active(), span), run);
}

/**
 * Steps an async generator with `span` active while its body runs: a generator's body runs in the
 * context of whoever calls `next`, so without this the spans it starts would not be children of `span`.
 * A non-recording span (no SDK) costs nothing: the source is returned as it is.
 */
export function withSpanContext<T, R>(span: Span, source: AsyncGenerator<T, R>): AsyncGenerator<T, R> {
  if (!span.isRecording()) return source;
  return stepIn(trace.setSpan(context.active(), span), source);
}

async function* stepIn<T, R>(active: ReturnType<typeof context.active>, source: AsyncGenerator<T, R>): AsyncGenerator<T, R> {
  let finished = false;
  try {
    for (;;) {
      const next = await context.with(active, () => source.next());
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
    if (!finished) await context.with(active, () => source.return(undefined as R));
  }
}
