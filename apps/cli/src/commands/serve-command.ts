import { Command } from "commander";
import type { CliContext } from "../cli-context.js";
import { CliError, UsageError } from "../cli-error.js";
import { loadCliConfig } from "../runtime/load-cli-config.js";
import { examples } from "./examples.js";

interface ServeOptions {
  bind?: string;
  port?: string;
  insecure?: boolean;
  logLevel?: string;
}

/** `corral serve`: the HTTP agent endpoint of @corral/server, until Ctrl-C or SIGTERM. */
export function serveCommand(ctx: CliContext): Command {
  return new Command("serve")
    .description("serve the agents over HTTP: corral's API, OpenAI- and Ollama-compatible endpoints")
    .option("-b, --bind <address>", "address to listen on (default: server.host of the config, 127.0.0.1)")
    .option("-p, --port <n>", "port to listen on, 0 for any free one (default: server.port of the config, 8787)")
    .option("--insecure", "allow listening beyond loopback without an API key (dangerous)")
    .option(
      "--log-level <level>",
      "fatal, error, warn, info, debug or silent; logs are JSON lines on stderr (default: CORRAL_LOG_LEVEL, or info)",
    )
    .action(async (options: ServeOptions) => serve(ctx, options))
    .addHelpText(
      "after",
      `${examples([
        "corral serve",
        "corral serve --port 9000 --model llama3.2:3b",
        "CORRAL_API_KEY=$(openssl rand -hex 24) corral serve --bind 0.0.0.0",
        'curl -s localhost:8787/v1/chat/completions -d \'{"model":"default","messages":[{"role":"user","content":"hi"}]}\'',
      ])}
--host is Ollama's address for every command; use --bind for the address the server listens on.
`,
    );
}

async function serve(ctx: CliContext, options: ServeOptions): Promise<void> {
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

  const { createServer } = await import("@corral/server");
  const server = await createServer(config, {
    root: ctx.io.cwd,
    logger: { level: logLevel, stream: ctx.io.stderr as NodeJS.WritableStream },
  });
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    await server.close().catch(() => undefined);
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
}
