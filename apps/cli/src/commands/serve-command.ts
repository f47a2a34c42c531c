import type { CliContext } from "../cli-context.js";
import { CliError, UsageError } from "../cli-error.js";
import { loadCliConfig } from "../runtime/load-cli-config.js";

/** The options of `corral serve`. */
export interface ServeOptions {
  bind?: string;
  port?: string;
  insecure?: boolean;
  logLevel?: string;
}

/** `corral serve`: the HTTP agent endpoint of @corral/server, until Ctrl-C or SIGTERM. */
export async function serve(ctx: CliContext, options: ServeOptions): Promise<void> {
  const { config } = await loadCliConfig(ctx);
  if (options.bind) config.server.host = options.bind;
  if (options.port !== undefined) {
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be a whole number from 0 to 65535 (got "${options.port}").`);
    config.server.port = port;
  }
  if (options.insecure) config.server.insecure = true;
  const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
  // The flag wins over CORRAL_LOG_LEVEL, which wins over info (the flag has no default so the variable can apply).
  const logLevel = options.logLevel ?? ctx.io.env.CORRAL_LOG_LEVEL ?? "info";
  const levelSource = options.logLevel !== undefined ? "--log-level" : "CORRAL_LOG_LEVEL";
  if (!levels.includes(logLevel)) throw new UsageError(`${levelSource} must be one of ${levels.join(", ")} (got "${logLevel}").`);

  const { createServer, startTracingFromEnv } = await import("@corral/server");
  // The OpenTelemetry SDK is imported only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const tracing = await startTracingFromEnv(ctx.io.env);
  const server = await createServer(config, {
    root: ctx.io.cwd,
    logger: { level: logLevel, stream: ctx.io.stderr as NodeJS.WritableStream },
  });
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    await server.close().catch(() => undefined);
    await tracing?.shutdown().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new CliError("address_in_use", `Another program already listens on ${config.server.host}:${config.server.port}.`, {
        hint: "stop it, or choose another port with --port <n> (0 picks a free one).",
        cause: error,
      });
    }
    throw error;
  }
  ctx.print(`Listening on ${url}`);
  ctx.info(
    ctx.err.dim(
      `Agents: ${Object.keys(config.agents).join(", ")} · Ollama at ${config.ollama.host} · API docs at ${url}/docs · Ctrl-C stops`,
    ),
  );

  await new Promise<void>((resolve) => {
    const stopInterrupt = ctx.io.onInterrupt(stop);
    process.once("SIGTERM", stop);
    function stop() {
      stopInterrupt();
      process.off("SIGTERM", stop);
      resolve();
    }
  });
  ctx.info(ctx.err.dim("Stopping: letting runs in progress finish..."));
  await server.close();
  // The last runs' spans are sent before the process ends.
  await tracing?.shutdown();
}
