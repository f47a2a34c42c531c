import { parseArgs } from "node:util";
import { loadConfig } from "@corral/config";
import { isAgentError } from "@corral/core";
import { createServer } from "./create-server.js";
import { startTracingFromEnv } from "./telemetry/tracing-from-env.js";

const HELP = `corral-server: serve corral's agents over HTTP

Usage: corral-server [--config file] [--host 127.0.0.1] [--port 8787] [--insecure]
                     [--model name] [--ollama-host url]

Environment: OLLAMA_HOST, CORRAL_MODEL, CORRAL_EMBED_MODEL, CORRAL_INDEX, CORRAL_API_KEY, CORRAL_LOG_LEVEL,
             CORRAL_DATABASE_URL (sessions in PostgreSQL), CORRAL_REDIS_URL (rate limit in Redis).
             OTEL_EXPORTER_OTLP_ENDPOINT (send traces there over OTLP/HTTP; unset: no traces leave the machine).
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      insecure: { type: "boolean" },
      model: { type: "string" },
      "ollama-host": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const { config } = await loadConfig({ file: values.config, flags: { model: values.model, host: values["ollama-host"] } });
  if (values.host) config.server.host = values.host;
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0 to 65535, not "${values.port}".`);
    config.server.port = port;
  }
  if (values.insecure) config.server.insecure = true;
  // The OpenTelemetry SDK is imported only when an OTLP endpoint is set.
  const tracing = await startTracingFromEnv();
  const server = await createServer(config);
  await server.listen();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    server.app.log.info({ signal }, "shutting down");
    server
      .close()
      .then(() => tracing?.shutdown())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`corral-server: ${isAgentError(error) || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(isAgentError(error) && error.code === "config_invalid" ? 2 : 1);
});
