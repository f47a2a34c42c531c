import { parseArgs } from "node:util";
import { type FakeOllama, type FakeOllamaOptions, startFakeOllama } from "../start-fake-ollama.js";
import { loadScriptFile } from "./load-script-file.js";

/** Where the CLI writes. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE = `Usage: corral-fake-ollama [--port 11434] [--host 127.0.0.1] [--script file.json]

Runs a fake Ollama server (native API and /v1) until interrupted.
  --port N         port to listen on (default 11434; 0 picks a free one)
  --host H         interface to bind (default 127.0.0.1)
  --script FILE    JSON: an array of turns, or { "chat": [...], "models": [...], "faults": [...], "embedDimensions": N }
  --help           show this help
`;

/**
 * Parses the arguments and starts the fake. Returns the running fake, or an exit code when it should not run
 * (`0` after `--help`, `2` for bad arguments or a bad script file).
 */
export async function runCli(argv: string[], io: CliIo): Promise<FakeOllama | number> {
  let values: { port?: string; host?: string; script?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string", short: "p" },
        host: { type: "string" },
        script: { type: "string", short: "s" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr(`corral-fake-ollama: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 11434 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || values.port?.trim() === "") {
    io.stderr(`corral-fake-ollama: --port must be an integer 0-65535, got "${values.port}"\n`);
    return 2;
  }
  let options: FakeOllamaOptions = {};
  try {
    if (values.script !== undefined) options = await loadScriptFile(values.script);
    return await startFakeOllama({ ...options, port, host: values.host ?? "127.0.0.1" });
  } catch (error) {
    io.stderr(`corral-fake-ollama: ${(error as Error).message}\n`);
    return 2;
  }
}
