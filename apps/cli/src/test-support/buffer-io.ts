import { Readable } from "node:stream";
import type { CliIo } from "../cli-io.js";

export { runInProcess } from "./in-process-cli.js";

/** A CliIo over strings, for running `main` in-process. */
export function bufferIo(options: { cwd: string; env?: Record<string, string | undefined>; input?: string }): CliIo & {
  out: () => string;
  err: () => string;
} {
  let out = "";
  let err = "";
  return {
    stdout: {
      write(chunk: string) {
        out += chunk;
        return true;
      },
    },
    stderr: {
      write(chunk: string) {
        err += chunk;
        return true;
      },
    },
    stdin: Readable.from([options.input ?? ""]),
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd,
    onInterrupt: () => () => undefined,
    out: () => out,
    err: () => err,
  };
}
