import { fileURLToPath } from "node:url";
import { type RecordedRequest, startFakeOllama } from "@corral/testkit";
import { type RunResult, runCli } from "./run-cli.js";

/** The module recorder (`--import`ed): writes the URL of every module the process loads to CORRAL_RECORD_MODULES. */
export const moduleRecorder = fileURLToPath(new URL("./record-modules.mjs", import.meta.url));

/** What {@link askRecordingModules} ran. */
export interface RecordedAsk {
  result: RunResult;
  /** The requests the fake Ollama received, in order. */
  requests: RecordedRequest[];
}

/**
 * Runs `corral ask "Hello?"` as a child process against a fresh fake Ollama that answers
 * "Answered.", with the module recorder writing to `file` (and each module's load time with
 * `times`). `bin` runs another build of the CLI (tsc's unbundled output, say).
 */
export async function askRecordingModules(
  cwd: string,
  file: string,
  options: { bin?: string; times?: boolean } = {},
): Promise<RecordedAsk> {
  const fake = await startFakeOllama({ chat: [{ content: "Answered." }] });
  try {
    const result = await runCli(["ask", "Hello?"], {
      cwd,
      ...(options.bin ? { bin: options.bin } : {}),
      env: {
        CORRAL_RECORD_MODULES: file,
        ...(options.times ? { CORRAL_RECORD_MODULE_TIMES: "1" } : {}),
        NODE_OPTIONS: `--import=${moduleRecorder}`,
        OLLAMA_HOST: fake.url,
        CORRAL_MODEL: "qwen3:4b",
      },
    });
    return { result, requests: [...fake.requests] };
  } finally {
    await fake.close();
  }
}
