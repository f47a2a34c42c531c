import { Readable } from "node:stream";
import type { CliIo } from "../cli-io.js";

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

/**
 * Runs `main` in this process with a buffer io: for checks that do not need a real child
 * process (the binary itself is exercised by the child-process tests).
 */
export async function runInProcess(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; input?: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import("../main.js");
  const io = bufferIo(options);
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}
