import type { Tracing } from "./tracing.js";

/**
 * Starts exporting traces when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
 * is set: only then is the OpenTelemetry SDK imported. Otherwise returns undefined, nothing is
 * loaded, corral's spans stay no-ops and nothing leaves the machine.
 */
export async function startTracingFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Tracing | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const { startTracing } = await import("./start-tracing.js");
  return startTracing();
}
